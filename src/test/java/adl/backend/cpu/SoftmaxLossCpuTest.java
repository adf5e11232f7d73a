package adl.backend.cpu;

import adl.autograd.Autograd;
import adl.autograd.LossOps;
import adl.backend.Backend;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static adl.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU kernels of softmax, cross-entropy and weighted sum: the F32 fast paths against the F64
 * reference loops on odd sizes (including sizes that span several tasks), bitwise determinism
 * across runs and thread counts, and the edge cases of the contract.
 */
class SoftmaxLossCpuTest {
    private static final Backend BE = CpuBackend.INSTANCE;
    private static final double ATOL = 1e-5, RTOL = 1e-4;

    private static Tensor rand64(long seed, double lo, double hi, int... dims) {
        return Tensors.uniform(Device.CPU, DType.F64, Shape.of(dims), seed, lo, hi);
    }

    private static Tensor f32(Tensor t) { return Tensors.cast(t, DType.F32); }

    /** Labels in [0, c) with about a fifth of them set to {@code ignore}. */
    private static Tensor labels(long seed, int c, int ignore, int... dims) {
        Random r = new Random(seed);
        int[] v = new int[Shape.of(dims).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble() < 0.2 ? ignore : r.nextInt(c);
        return Tensors.ofInts(Device.CPU, Shape.of(dims), v);
    }

    @Test void softmaxF32MatchesF64() {
        int[][] shapes = {{3, 7, 5, 9}, {2, 3, 33, 41}, {13, 29}, {5, 3, 7}, {1, 1, 600}};
        int[] axes = {1, 1, -1, 0, 2};
        try (Scope s = Scope.open()) {
            for (int c = 0; c < shapes.length; c++) {
                for (boolean log : new boolean[] {false, true}) {
                    String what = (log ? "log_softmax " : "softmax ") + Shape.of(shapes[c]) + " axis " + axes[c];
                    Tensor x = rand64(100 + c, -6, 6, shapes[c]), gy = rand64(200 + c, -1, 1, shapes[c]);
                    Tensor y = Tensors.emptyLike(x), gx = Tensors.emptyLike(x);
                    BE.softmax(x, axes[c], log, y);
                    BE.softmaxBackward(y, gy, axes[c], log, gx);
                    Tensor y32 = f32(y), gx32 = f32(gx);
                    BE.softmax(f32(x), axes[c], log, y32);
                    BE.softmaxBackward(y32, f32(gy), axes[c], log, gx32);
                    assertClose(what + " forward", y32, y, ATOL, RTOL);
                    assertClose(what + " backward", gx32, gx, ATOL, RTOL);
                }
            }
        }
    }

    @Test void softmaxRowsSumToOneAndSurviveLargeLogits() {
        try (Scope s = Scope.open()) {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                Tensor x = Tensors.of(Device.CPU, dt, Shape.of(2, 3), 1000, 1001, 1002, -1000, -1000, -1000);
                Tensor y = Tensors.emptyLike(x);
                BE.softmax(x, 1, false, y);
                double e1 = Math.exp(-1), e2 = Math.exp(-2), z = 1 + e1 + e2;
                assertClose(dt + " softmax of large logits", y, new double[] {e2 / z, e1 / z, 1 / z, 1 / 3.0, 1 / 3.0, 1 / 3.0}, 1e-6, 1e-6);
                BE.softmax(x, 1, true, y);
                assertClose(dt + " log_softmax of large logits", y,
                        new double[] {-2 - Math.log(z), -1 - Math.log(z), -Math.log(z), -Math.log(3), -Math.log(3), -Math.log(3)}, 1e-5, 1e-6);
            }
        }
    }

    @Test void crossEntropyF32MatchesF64() {
        int[][] shapes = {{2, 19, 17, 23}, {1, 5, 37, 41}, {3, 2, 1, 1}};
        try (Scope s = Scope.open()) {
            for (int c = 0; c < shapes.length; c++) {
                int[] d = shapes[c];
                Tensor x = rand64(300 + c, -5, 5, d), lab = labels(400 + c, d[1], 255, d[0], d[2], d[3]);
                Tensor loss = Tensors.empty(Device.CPU, DType.F64, 1), gx = Tensors.emptyLike(x);
                Tensor scale = Tensors.scalar(Device.CPU, DType.F64, 0.7);
                BE.crossEntropy(x, lab, 255, loss);
                BE.crossEntropyBackward(x, lab, 255, scale, gx);
                Tensor x32 = f32(x), loss32 = f32(loss), gx32 = f32(gx);
                BE.crossEntropy(x32, lab, 255, loss32);
                BE.crossEntropyBackward(x32, lab, 255, f32(scale), gx32);
                String what = "cross_entropy " + Shape.of(d);
                assertClose(what + " loss", loss32, loss, ATOL, RTOL);
                assertClose(what + " grad", gx32, gx, 1e-6, RTOL);
            }
        }
    }

    @Test void crossEntropyGradientScalesWithTheIncomingGradient() {
        try (Scope s = Scope.open()) {
            Tensor x = rand64(500, -2, 2, 2, 3, 5, 7), lab = labels(501, 3, 255, 2, 5, 7);
            Tensor g1 = Tensors.emptyLike(x), g2 = Tensors.emptyLike(x);
            BE.crossEntropyBackward(x, lab, 255, Tensors.scalar(Device.CPU, DType.F64, 1.0), g1);
            BE.crossEntropyBackward(x, lab, 255, Tensors.scalar(Device.CPU, DType.F64, -2.5), g2);
            double[] a = Tensors.toDoubles(g1), b = Tensors.toDoubles(g2);
            for (int i = 0; i < a.length; i++) a[i] *= -2.5;
            assertClose("grad with scale -2.5", b, a, 1e-12, 1e-12);
        }
    }

    @Test void crossEntropyAllIgnoredIsZeroWithZeroGradient() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensors.cast(rand64(600, -2, 2, 2, 4, 3, 5), dt).requiresGrad(true);
                int[] all = new int[2 * 3 * 5];
                java.util.Arrays.fill(all, LossOps.IGNORE_LABEL);
                Tensor loss = LossOps.crossEntropy(x, Tensors.ofInts(Device.CPU, Shape.of(2, 3, 5), all), LossOps.IGNORE_LABEL);
                assertEquals(0.0, Tensors.item(loss), dt + " loss");
                Autograd.backward(loss);
                assertArrayEquals(new double[x.shape().size()], Tensors.toDoubles(x.grad()), 0.0, dt + " gradient");
                x.grad().close();
            }
        }
    }

    @Test void crossEntropyIgnoredPixelsGetZeroGradient() {
        try (Scope s = Scope.open()) {
            Tensor x = f32(rand64(650, -2, 2, 1, 4, 3, 3));
            Tensor lab = Tensors.ofInts(Device.CPU, Shape.of(1, 3, 3), 0, 255, 1, 2, 3, 255, 255, 0, 1);
            Tensor gx = Tensors.emptyLike(x);
            BE.crossEntropyBackward(x, lab, 255, Tensors.scalar(Device.CPU, DType.F32, 1), gx);
            double[] g = Tensors.toDoubles(gx);
            int[] ignoredPixels = {1, 5, 6};
            for (int c = 0; c < 4; c++) for (int p : ignoredPixels) assertEquals(0.0, g[c * 9 + p], "channel " + c + " pixel " + p);
            for (int p = 0; p < 9; p++) {
                double col = 0;
                for (int c = 0; c < 4; c++) col += g[c * 9 + p];
                assertEquals(0.0, col, 1e-7, "softmax - onehot sums to 0 over the channels at pixel " + p);
            }
        }
    }

    @Test void crossEntropyRejectsABadLabelNamingValueAndPosition() {
        try (Scope s = Scope.open()) {
            Tensor x = rand64(700, -1, 1, 2, 5, 3, 4);
            int[] v = new int[2 * 3 * 4];
            v[1 * 12 + 2 * 4 + 1] = 7; // n=1, h=2, w=1
            Tensor lab = Tensors.ofInts(Device.CPU, Shape.of(2, 3, 4), v);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LossOps.crossEntropy(x, lab, LossOps.IGNORE_LABEL));
            assertTrue(e.getMessage().contains("label 7") && e.getMessage().contains("n=1, h=2, w=1") && e.getMessage().contains("[0, 5)"),
                    e.getMessage());
            v[1 * 12 + 2 * 4 + 1] = 0;
            v[5] = -1;
            Tensor neg = Tensors.ofInts(Device.CPU, Shape.of(2, 3, 4), v);
            e = assertThrows(IllegalArgumentException.class,
                    () -> BE.crossEntropyBackward(x, neg, 255, Tensors.scalar(Device.CPU, DType.F64, 1), Tensors.emptyLike(x)));
            assertTrue(e.getMessage().contains("label -1") && e.getMessage().contains("n=0, h=1, w=1"), e.getMessage());
            Tensor wrongShape = Tensors.ofInts(Device.CPU, Shape.of(2, 4, 3), v);
            e = assertThrows(IllegalArgumentException.class, () -> LossOps.crossEntropy(x, wrongShape, 255));
            assertTrue(e.getMessage().contains("[2, 4, 3]") && e.getMessage().contains("[2, 5, 3, 4]"), e.getMessage());
        }
    }

    @Test void weightedSumF32MatchesF64() {
        int[][] shapes = {{2, 5, 31, 33}, {3, 7}, {1}};
        int[] ks = {7, 3, 1};
        try (Scope s = Scope.open()) {
            for (int c = 0; c < shapes.length; c++) {
                int k = ks[c];
                Tensor[] xs = new Tensor[k], xs32 = new Tensor[k], gxs = new Tensor[k], gxs32 = new Tensor[k];
                for (int i = 0; i < k; i++) {
                    xs[i] = rand64(800 + 10 * c + i, -2, 2, shapes[c]);
                    xs32[i] = f32(xs[i]);
                    gxs[i] = Tensors.emptyLike(xs[i]);
                    gxs32[i] = Tensors.emptyLike(xs32[i]);
                }
                Tensor w = rand64(900 + c, -1, 1, k), gy = rand64(950 + c, -1, 1, shapes[c]);
                Tensor out = Tensors.emptyLike(gy), gw = Tensors.emptyLike(w);
                BE.weightedSum(xs, w, out);
                BE.weightedSumBackward(xs, w, gy, gxs, gw);
                Tensor out32 = f32(out), gw32 = f32(gw);
                BE.weightedSum(xs32, f32(w), out32);
                BE.weightedSumBackward(xs32, f32(w), f32(gy), gxs32, gw32);
                String what = "weighted_sum K=" + k + " " + Shape.of(shapes[c]);
                assertClose(what + " forward", out32, out, ATOL, RTOL);
                for (int i = 0; i < k; i++) assertClose(what + " gx" + i, gxs32[i], gxs[i], 1e-6, RTOL);
                assertClose(what + " gw", gw32, gw, 1e-3, RTOL);
                double[] ref = new double[k];
                double[] g = Tensors.toDoubles(gy);
                for (int i = 0; i < k; i++) {
                    double[] x = Tensors.toDoubles(xs[i]);
                    for (int j = 0; j < g.length; j++) ref[i] += g[j] * x[j];
                }
                assertClose(what + " gw against a plain loop", gw, ref, 1e-10, 1e-10);
            }
        }
    }

    /**
     * F32 forward bit for bit against the float expression ((w0·x0 + w1·x1) + …) evaluated here, for
     * K = 1 … 8 (the passes of at most three streams: K = 8 is 3 + 2 + 2 + 1), on fresh tensors (all
     * at offset 0: the fused passes) and with the inputs as views at another offset (the general path).
     */
    @Test void weightedSumF32ForwardIsTheFloatExpressionInOrder() {
        for (int k : new int[] {1, 2, 3, 4, 5, 6, 7, 8}) {
            for (boolean views : new boolean[] {false, true}) {
                try (Scope s = Scope.open()) {
                    int n = 2 * 8 * 81 * 81 + 13; // several chunks and a tail
                    Random r = new Random(k * 31 + (views ? 1 : 0));
                    float[] w = new float[k];
                    float[][] x = new float[k][n];
                    Tensor[] xs = new Tensor[k];
                    for (int i = 0; i < k; i++) {
                        w[i] = r.nextFloat() - 0.5f;
                        for (int j = 0; j < n; j++) x[i][j] = (float) r.nextGaussian();
                        double[] padded = new double[n + 3];
                        for (int j = 0; j < n; j++) padded[j + 3] = x[i][j];
                        Tensor whole = Tensors.of(Device.CPU, DType.F32, Shape.of(n + 3), padded);
                        xs[i] = views ? Tensors.view(whole, Shape.of(n), whole.strides(), whole.offset() + 3) : Tensors.of(Device.CPU, DType.F32, Shape.of(n), java.util.Arrays.copyOfRange(padded, 3, n + 3));
                    }
                    double[] wd = new double[k];
                    for (int i = 0; i < k; i++) wd[i] = w[i];
                    Tensor out = Tensors.empty(Device.CPU, DType.F32, Shape.of(n));
                    BE.weightedSum(xs, Tensors.of(Device.CPU, DType.F32, Shape.of(k), wd), out);
                    float[] got = CpuStorage.f32(out);
                    for (int j = 0; j < n; j++) {
                        float e = w[0] * x[0][j];
                        for (int i = 1; i < k; i++) e += w[i] * x[i][j];
                        if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(got[(int) out.offset() + j])) {
                            throw new AssertionError("K=" + k + (views ? " (views)" : "") + " element " + j + ": expected " + e + ", got " + got[(int) out.offset() + j]);
                        }
                    }
                }
            }
        }
    }

    /**
     * The backward's gw partials run the dot products of up to three inputs side by side: each must
     * have the bits of the one-input dot (the same lanes in the same order), for K = 1 … 8, on a
     * length with a tail, and gw as a whole must equal Σ over chunks of those dots in chunk order.
     */
    @Test void weightedSumBackwardDotsOfSeveralInputsEqualTheOneInputDot() {
        for (int k = 1; k <= 8; k++) {
            try (Scope s = Scope.open()) {
                int n = 2 * CpuWeightedSum.CHUNK + 7;
                Tensor[] xs = new Tensor[k];
                for (int i = 0; i < k; i++) xs[i] = f32(rand64(1300 + 10 * k + i, -1, 1, n));
                Tensor gy = f32(rand64(1399, -1, 1, n));
                float[] g = CpuStorage.f32(gy);
                int go = (int) gy.offset();
                double[] together = new double[k];
                CpuWeightedSum.dotsF32(g, go + 5, xs, 5, n - 5, together, 0);
                for (int i = 0; i < k; i++) {
                    double alone = CpuWeightedSum.dotF32(g, go + 5, CpuStorage.f32(xs[i]), (int) xs[i].offset() + 5, n - 5);
                    assertEquals(Double.doubleToRawLongBits(alone), Double.doubleToRawLongBits(together[i]), "K=" + k + " input " + i);
                }
                Tensor gw = Tensors.empty(Device.CPU, DType.F32, k);
                BE.weightedSumBackward(xs, Tensors.uniform(Device.CPU, DType.F32, Shape.of(k), 1398, 0, 1), gy, null, gw);
                double[] gv = Tensors.toDoubles(gw);
                for (int i = 0; i < k; i++) {
                    double sum = 0;
                    for (int lo = 0; lo < n; lo += CpuWeightedSum.CHUNK) {
                        sum += CpuWeightedSum.dotF32(g, go + lo, CpuStorage.f32(xs[i]), (int) xs[i].offset() + lo, Math.min(n, lo + CpuWeightedSum.CHUNK) - lo);
                    }
                    assertEquals((float) sum, (float) gv[i], 0f, "K=" + k + " gw[" + i + "]");
                }
            }
        }
    }

    @Test void weightedSumBackwardComputesOnlyWhatIsWanted() {
        try (Scope s = Scope.open()) {
            Tensor[] xs = {rand64(1000, -1, 1, 3, 5), rand64(1001, -1, 1, 3, 5), rand64(1002, -1, 1, 3, 5)};
            Tensor w = Tensors.of(Device.CPU, DType.F64, Shape.of(3), 0.5, -2, 3);
            Tensor gy = rand64(1003, -1, 1, 3, 5);
            Tensor gx1 = Tensors.full(Device.CPU, DType.F64, Shape.of(3, 5), 42);
            BE.weightedSumBackward(xs, w, gy, new Tensor[] {null, gx1, null}, null);
            double[] g = Tensors.toDoubles(gy);
            for (int i = 0; i < g.length; i++) g[i] *= -2;
            assertClose("gx1 alone", gx1, g, 1e-15, 0);
            Tensor gw = Tensors.full(Device.CPU, DType.F64, Shape.of(3), 42);
            BE.weightedSumBackward(xs, w, gy, null, gw);
            double[] gv = Tensors.toDoubles(gw);
            for (double v : gv) assertTrue(v != 42 && Math.abs(v) < 15, "gw overwritten: " + v);
        }
    }

    /**
     * gw of the weighted-sum backward and the cross-entropy loss: the same bits on every run, for 1
     * and 2 threads. Checked in F64 as well, where a change in summation order shows in the last
     * bits (in F32 the double accumulator usually hides it after rounding).
     */
    @Test void reductionsAreBitwiseDeterministicAcrossRunsAndThreadCounts() {
        int before = Parallel.threads();
        try {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                try (Scope s = Scope.open()) {
                    checkDeterminism(dt);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static void checkDeterminism(DType dt) {
        Shape shape = Shape.of(2, 40, 81, 81);
        assertTrue(shape.size() > 8 * CpuWeightedSum.CHUNK, "big enough to be split into many partial sums");
        int k = 7;
        Tensor[] xs = new Tensor[k];
        for (int i = 0; i < k; i++) xs[i] = Tensors.uniform(Device.CPU, dt, shape, 1100 + i, -1, 1);
        Tensor w = Tensors.uniform(Device.CPU, dt, Shape.of(k), 1200, 0, 1);
        Tensor gy = Tensors.uniform(Device.CPU, dt, shape, 1201, -1, 1);
        Tensor logits = Tensors.uniform(Device.CPU, dt, Shape.of(2, 19, 81, 81), 1202, -4, 4);
        Tensor lab = labels(1203, 19, 255, 2, 81, 81);
        double[] firstGw = null, firstLoss = null;
        for (int threads : new int[] {1, 2, 1, 2, 2, 2}) {
            Parallel.setThreads(threads);
            Tensor gw = Tensors.empty(Device.CPU, dt, k), loss = Tensors.empty(Device.CPU, dt, 1);
            BE.weightedSumBackward(xs, w, gy, null, gw);
            BE.crossEntropy(logits, lab, 255, loss);
            double[] gv = Tensors.toDoubles(gw), lv = Tensors.toDoubles(loss);
            if (firstGw == null) {
                firstGw = gv;
                firstLoss = lv;
            } else {
                assertArrayEquals(firstGw, gv, 0.0, dt + " gw with " + threads + " threads");
                assertArrayEquals(firstLoss, lv, 0.0, dt + " cross-entropy with " + threads + " threads");
            }
        }
    }
}
