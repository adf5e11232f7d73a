package adl.backend.cpu;

import adl.backend.Backend;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.testing.Close;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The fast F32 convolution and matmul kernels against the F64 reference loops on the same random
 * values (odd sizes, several blocks of output pixels, batch chunks), and their determinism across
 * thread counts.
 */
class ConvParityTest {
    private static final Backend BE = Device.CPU.backend();

    /** One conv geometry: x [n, cin, h, w], w [cout, cin/groups, kh, kw]. */
    record Case(String name, int n, int cin, int cout, int h, int w, int kh, int kw, ConvParams p) {
        Case(String name, int n, int cin, int cout, int h, int w, int k, int stride, int pad, int dil, int groups) {
            this(name, n, cin, cout, h, w, k, k, ConvParams.of(stride, pad, dil, groups));
        }

        Shape xs() { return Shape.of(n, cin, h, w); }
        Shape ws() { return Shape.of(cout, cin / p.groups(), kh, kw); }
        Shape ys() { return Shape.of(n, cout, p.outH(h, kh), p.outW(w, kw)); }
    }

    static final Case[] CASES = {
        new Case("plain 3x3", 2, 3, 4, 5, 6, 3, 1, 1, 1, 1),
        new Case("3x3 stride 2 odd 7x9", 2, 3, 4, 7, 9, 3, 2, 1, 1, 1),
        new Case("dilation 2", 3, 5, 7, 9, 8, 3, 1, 2, 2, 1),
        new Case("groups 2", 2, 6, 4, 7, 5, 3, 1, 1, 1, 2),
        new Case("16 -> 24 at 13x11", 2, 16, 24, 13, 11, 3, 1, 1, 1, 1),
        new Case("16 -> 24 groups 4 at 13x11", 5, 16, 24, 13, 11, 3, 1, 1, 1, 4),
        new Case("64 -> 32 at 23x25 (many pixel blocks)", 2, 64, 32, 23, 25, 3, 1, 1, 1, 1),
        new Case("64 -> 128 stride 2 at 17x19", 2, 64, 128, 17, 19, 3, 2, 1, 1, 1),
        new Case("1x1 32 -> 40 at 41x41", 2, 32, 40, 41, 41, 1, 1, 0, 1, 1),
        new Case("1x1 stride 2 pad 1", 3, 6, 5, 9, 8, 1, 2, 1, 1, 1),
        new Case("depthwise 3x3 32 at 13x11", 2, 32, 32, 13, 11, 3, 1, 1, 1, 32),
        new Case("depthwise 5x5 at 9x7", 2, 8, 8, 9, 7, 5, 1, 2, 1, 8),
        new Case("dilated depthwise 3x3", 2, 8, 8, 11, 9, 3, 1, 2, 2, 8),
        new Case("dilated depthwise 5x5 on 2x3", 2, 4, 4, 2, 3, 5, 1, 4, 2, 4),
        new Case("depthwise 3x3 stride 2", 3, 5, 5, 9, 8, 3, 2, 1, 1, 5),
        new Case("depthwise multiplier 3", 2, 4, 12, 7, 6, 3, 1, 1, 1, 4),
        new Case("depthwise multiplier 2 stride 2", 2, 3, 6, 7, 6, 3, 2, 1, 1, 3),
        new Case("5x5 dense 1 channel", 2, 1, 9, 8, 9, 5, 1, 2, 1, 1),
        new Case("kh != kw, per-axis geometry", 2, 3, 5, 9, 10, 3, 2, new ConvParams(2, 1, 1, 0, 1, 2, 1)),
    };

    static double[] randomValues(long seed, int n) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1); // exact in F32
        return v;
    }

    static Tensor tensor(DType t, Shape s, double[] v) { return Tensors.of(Device.CPU, t, s, v); }

    @Test void f32MatchesF64Reference() {
        for (Case c : CASES) {
            try (Scope s = Scope.open()) {
                double[] xv = randomValues(1, (int) c.xs().numel()), wv = randomValues(2, (int) c.ws().numel());
                double[] gv = randomValues(3, (int) c.ys().numel());
                double[][] ref = run(DType.F64, c, xv, wv, gv), got = run(DType.F32, c, xv, wv, gv);
                double tol = 2e-5 * Math.sqrt(c.cin() / c.p().groups() * c.kh() * c.kw() * c.cout());
                Close.assertClose(c.name() + " forward", got[0], ref[0], tol, 1e-4);
                Close.assertClose(c.name() + " backward data", got[1], ref[1], tol, 1e-4);
                Close.assertClose(c.name() + " backward filter", got[2], ref[2], tol * Math.sqrt(c.n() * c.h() * c.w()), 1e-4);
            }
        }
    }

    /** {forward y, gx, gw} in the given dtype, read back as doubles. */
    static double[][] run(DType t, Case c, double[] xv, double[] wv, double[] gv) {
        Tensor x = tensor(t, c.xs(), xv), w = tensor(t, c.ws(), wv), gy = tensor(t, c.ys(), gv);
        Tensor y = Tensors.empty(Device.CPU, t, c.ys()), gx = Tensors.empty(Device.CPU, t, c.xs()), gw = Tensors.empty(Device.CPU, t, c.ws());
        BE.conv2dForward(x, w, c.p(), y);
        BE.conv2dBackwardData(gy, w, c.p(), gx);
        BE.conv2dBackwardFilter(x, gy, c.p(), gw);
        return new double[][] {Tensors.toDoubles(y), Tensors.toDoubles(gx), Tensors.toDoubles(gw)};
    }

    @Test void f32IsBitwiseIdenticalOnOneAndTwoThreads() {
        Case[] big = {
            new Case("dense 3x3 32 -> 48 at 33x35", 2, 32, 48, 33, 35, 3, 1, 1, 1, 1),
            new Case("dense 3x3 stride 2 16 -> 32 at 41x41, batch 3", 3, 16, 32, 41, 41, 3, 2, 1, 1, 1),
            new Case("1x1 32 -> 32 at 41x41", 2, 32, 32, 41, 41, 1, 1, 0, 1, 1),
            new Case("depthwise 5x5 dilation 2 32 at 41x41", 2, 32, 32, 41, 41, 5, 1, 4, 2, 32),
            new Case("depthwise 3x3 stride 2 64 at 41x41", 2, 64, 64, 41, 41, 3, 2, 1, 1, 64),
            new Case("matmul-sized 1x1 8 -> 8 at 161x161", 2, 8, 8, 161, 161, 1, 1, 0, 1, 1),
        };
        int saved = Parallel.threads();
        try {
            for (Case c : big) {
                try (Scope s = Scope.open()) {
                    double[] xv = randomValues(4, (int) c.xs().numel()), wv = randomValues(5, (int) c.ws().numel());
                    double[] gv = randomValues(6, (int) c.ys().numel());
                    Parallel.setThreads(1);
                    double[][] one = run(DType.F32, c, xv, wv, gv);
                    Parallel.setThreads(2);
                    double[][] two = run(DType.F32, c, xv, wv, gv);
                    for (int k = 0; k < 3; k++) assertArrayEquals(one[k], two[k], c.name() + " output " + k);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * The search's depthwise shapes (crop 64: 16x16 x 8, 8x8 x 16, 4x4 x 32, 2x2 x 64 channels, batch 2;
     * 3x3, 5x5 and their dilation-2 forms) and odd ones (3x5 planes, multiplier 2, one channel, planes
     * past the 256 filter lanes), stride 1: the plane-batched kernels bitwise equal to the per-plane
     * kernels they replaced (DepthwisePlaneReference), on 1 and 2 threads, at nonzero array offsets.
     */
    @Test void depthwiseIsBitwiseIdenticalToThePerPlaneKernels() {
        int[][] kernels = {{3, 1, 1}, {5, 2, 1}, {3, 2, 2}, {5, 4, 2}}; // k, pad, dilation
        java.util.List<Case> cases = new java.util.ArrayList<>();
        for (int level = 0; level < 4; level++) {
            int hw = 16 >> level, c = 8 << level;
            for (int[] k : kernels) cases.add(new Case("search level " + level + " " + Arrays.toString(k), 2, c, c, hw, hw, k[0], 1, k[1], k[2], c));
        }
        for (int[] k : kernels) {
            cases.add(new Case("3x5 planes " + Arrays.toString(k), 2, 6, 6, 3, 5, k[0], 1, k[1], k[2], 6));
            cases.add(new Case("multiplier 2 " + Arrays.toString(k), 2, 5, 10, 6, 7, k[0], 1, k[1], k[2], 5));
            cases.add(new Case("one channel " + Arrays.toString(k), 3, 1, 1, 9, 4, k[0], 1, k[1], k[2], 1));
            cases.add(new Case("multiplier 3 on 2x2 " + Arrays.toString(k), 1, 7, 21, 2, 2, k[0], 1, k[1], k[2], 7));
            cases.add(new Case("33x30, 3 filter chunks " + Arrays.toString(k), 3, 3, 3, 33, 30, k[0], 1, k[1], k[2], 3));
        }
        cases.add(new Case("no padding 5x5 at 7x9", 2, 4, 4, 7, 9, 5, 1, 0, 1, 4));
        cases.add(new Case("kh != kw 1x3, pad 0 x 1", 2, 4, 4, 5, 6, 1, 3, new ConvParams(1, 1, 0, 1, 1, 1, 4)));
        int saved = Parallel.threads();
        try {
            for (Case c : cases) {
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    assertDepthwiseBitwise(c);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * Infinities and NaNs where the padding-only taps of dilated kernels on small planes are skipped:
     * the skip must leave every bit as the per-plane kernels had it.
     */
    @Test void depthwiseSkipsPaddingOnlyTapsOnlyWhereExact() {
        int[][] kernels = {{3, 1, 1}, {5, 2, 1}, {3, 2, 2}, {5, 4, 2}};
        for (int hw : new int[] {2, 4, 9, 25}) { // 25: gx over two 512-position chunks
            for (int[] k : kernels) {
                Case c = new Case("non-finite " + hw + "x" + hw + " " + Arrays.toString(k), 2, 6, 6, hw, hw, k[0], 1, k[1], k[2], 6);
                int xn = (int) c.xs().numel(), wn = (int) c.ws().numel(), yn = (int) c.ys().numel();
                for (int v = 0; v < 3; v++) {
                    float[] x = floats(11, 5 + xn), w = floats(12, 5 + wn), gy = floats(13, 5 + yn);
                    float bad = v == 0 ? Float.POSITIVE_INFINITY : v == 1 ? Float.NEGATIVE_INFINITY : Float.NaN;
                    x[5 + xn / 3] = bad; // channel 2 of sample 0
                    gy[5 + yn - 1] = bad; // channel 5 of sample 1
                    float[] wBad = w.clone();
                    wBad[5 + c.kh() * c.kw() * 3] = bad; // tap (0, 0) of channel 3: padding-only on small planes
                    assertDepthwiseBitwise(c, x, w, gy);
                    assertDepthwiseBitwise(c, x, wBad, gy);
                }
            }
        }
    }

    private static void assertDepthwiseBitwise(Case c) {
        int off = 5;
        assertDepthwiseBitwise(c, floats(11, off + (int) c.xs().numel()), floats(12, off + (int) c.ws().numel()), floats(13, off + (int) c.ys().numel()));
    }

    /** x, w, gy hold the tensors from index 5 on. */
    private static void assertDepthwiseBitwise(Case c, float[] x, float[] w, float[] gy) {
        CpuIm2col.Geom g = new CpuIm2col.Geom(c.h(), c.w(), c.kh(), c.kw(), c.p().outH(c.h(), c.kh()), c.p().outW(c.w(), c.kw()), c.p());
        int off = 5, xn = (int) c.xs().numel(), wn = (int) c.ws().numel(), yn = (int) c.ys().numel();
        float[][] got = {new float[off + yn], new float[off + xn], new float[off + wn]};
        float[][] ref = {new float[off + yn], new float[off + xn], new float[off + wn]};
        CpuDepthwise.forward(x, off, w, off, got[0], off, c.n(), c.cin(), c.cout(), g);
        CpuDepthwise.backwardData(gy, off, w, off, got[1], off, c.n(), c.cin(), c.cout(), g);
        CpuDepthwise.backwardFilter(x, off, gy, off, got[2], off, c.n(), c.cin(), c.cout(), g);
        DepthwisePlaneReference.forward(x, off, w, off, ref[0], off, c.n(), c.cin(), c.cout(), g);
        DepthwisePlaneReference.backwardData(gy, off, w, off, ref[1], off, c.n(), c.cin(), c.cout(), g);
        DepthwisePlaneReference.backwardFilter(x, off, gy, off, ref[2], off, c.n(), c.cin(), c.cout(), g);
        String[] what = {"forward", "backward data", "backward filter"};
        for (int k = 0; k < 3; k++) {
            int[] a = new int[got[k].length], b = new int[got[k].length];
            for (int i = 0; i < a.length; i++) {
                a[i] = Float.floatToRawIntBits(got[k][i]);
                b[i] = Float.floatToRawIntBits(ref[k][i]);
            }
            assertArrayEquals(b, a, c.name() + " " + what[k] + " on " + Parallel.threads() + " threads");
        }
    }

    /** Random floats of varied magnitude (so that fma chains round differently in another order). */
    private static float[] floats(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(5) - 2));
        return v;
    }

    @Test void matmulF32MatchesF64WithAllTransposes() {
        int[][] sizes = {{1, 3, 5, 4}, {2, 7, 9, 13}, {3, 70, 33, 600}, {1, 129, 5, 1}};
        for (int[] sz : sizes) {
            int b = sz[0], m = sz[1], k = sz[2], n = sz[3];
            for (int mode = 0; mode < 4; mode++) {
                boolean ta = (mode & 1) != 0, tb = (mode & 2) != 0;
                boolean batched = b > 1;
                Shape as = shape(batched, b, ta ? k : m, ta ? m : k), bs = shape(batched, b, tb ? n : k, tb ? k : n);
                Shape cs = shape(batched, b, m, n);
                try (Scope s = Scope.open()) {
                    double[] av = randomValues(7, (int) as.numel()), bv = randomValues(8, (int) bs.numel());
                    double[] ref = matmul(DType.F64, as, av, ta, bs, bv, tb, cs), got = matmul(DType.F32, as, av, ta, bs, bv, tb, cs);
                    Close.assertClose("matmul " + Arrays.toString(sz) + " transA=" + ta + " transB=" + tb, got, ref, 2e-5 * Math.sqrt(k), 1e-4);
                    double[] naive = naive(b, m, n, k, av, ta, bv, tb);
                    Close.assertClose("matmul F64 vs naive " + Arrays.toString(sz), ref, naive, 1e-12, 1e-12);
                }
            }
        }
    }

    static Shape shape(boolean batched, int b, int r, int c) { return batched ? Shape.of(b, r, c) : Shape.of(r, c); }

    static double[] matmul(DType t, Shape as, double[] av, boolean ta, Shape bs, double[] bv, boolean tb, Shape cs) {
        Tensor c = Tensors.empty(Device.CPU, t, cs);
        BE.matmul(tensor(t, as, av), ta, tensor(t, bs, bv), tb, c);
        return Tensors.toDoubles(c);
    }

    /** The definition, index by index: c[b, i, j] = Σ_k A(b, i, k) · B(b, k, j). */
    static double[] naive(int bt, int m, int n, int k, double[] a, boolean ta, double[] b, boolean tb) {
        double[] c = new double[bt * m * n];
        for (int q = 0; q < bt; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int l = 0; l < k; l++) {
                        double x = ta ? a[q * m * k + l * m + i] : a[q * m * k + i * k + l];
                        double y = tb ? b[q * k * n + j * k + l] : b[q * k * n + l * n + j];
                        s += x * y;
                    }
                    c[q * m * n + i * n + j] = s;
                }
            }
        }
        return c;
    }
}
