package adl.train.eval;

import adl.autograd.GradMode;
import adl.autograd.SoftmaxOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.train.Predictions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InferenceTest {
    static final Device CPU = Device.CPU;

    static Tensor randomImages(int n, int h, int w, long seed) {
        return Tensors.randn(CPU, DType.F32, Shape.of(n, 3, h, w), seed, 0, 1);
    }

    static double[] softmaxOf(Module net, Tensor x) {
        try (GradMode.Guard off = GradMode.off(); Scope s = Scope.open()) {
            return Tensors.toDoubles(SoftmaxOps.softmax(net.forward(x), 1));
        }
    }

    static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol, "index " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @Test void singleScaleIsThePlainForwardSoftmaxAndArgmax() {
        try (Scope s = Scope.open(); Conv2d net = new Conv2d(new Init(CPU, DType.F32, 3), 3, 5, 1)) {
            Tensor x = randomImages(2, 6, 7, 11);
            Inference inf = new Inference(net, CPU);
            assertFalse(net.isTraining(), "the constructor switches the module to evaluation mode");
            ClassProbabilities p = inf.probabilities(x);
            assertEquals(5, p.classes());
            assertEquals(2, p.n());
            int[] expected;
            try (GradMode.Guard off = GradMode.off()) {
                expected = Predictions.argmax(net.forward(x));
            }
            assertArrayEquals(expected, p.argmax());
            assertArrayEquals(expected, inf.predict(x));
            double[] sm = softmaxOf(net, x);
            for (int i = 0; i < sm.length; i++) assertEquals((float) sm[i], p.values()[i], 0, "index " + i);
        }
    }

    @Test void hostImageEntryPointEqualsTensorEntryPoint() {
        try (Scope s = Scope.open(); Conv2d net = Conv2d.of(3, 3, 3).padding(1).build(new Init(CPU, DType.F32, 4))) {
            Tensor x = randomImages(1, 9, 5, 2);
            double[] v = Tensors.toDoubles(x);
            float[] img = new float[v.length];
            for (int i = 0; i < v.length; i++) img[i] = (float) v[i];
            Inference inf = new Inference(net, CPU, List.of(0.6, 1.0), true);
            assertArrayEquals(inf.probabilities(x).values(), inf.probabilities(img, 9, 5).values());
            assertArrayEquals(inf.predict(x), inf.predict(img, 9, 5));
        }
    }

    /** A 3×3 convolution whose kernels are mirror-symmetric commutes with a left-right flip. */
    @Test void flipWithALeftRightSymmetricNetworkEqualsNoFlip() {
        try (Scope s = Scope.open(); Conv2d net = Conv2d.of(3, 4, 3).padding(1).build(new Init(CPU, DType.F32, 5))) {
            Tensor w = net.weight();
            double[] v = Tensors.toDoubles(w);
            for (int k = 0; k < v.length; k += 3) v[k + 2] = v[k];     // kx = 2 mirrors kx = 0
            Device.backendOf(w).write(w, v);
            Tensor x = randomImages(1, 8, 11, 6);
            float[] plain = new Inference(net, CPU, List.of(1.0), false).probabilities(x).values();
            float[] flipped = new Inference(net, CPU, List.of(1.0), true).probabilities(x).values();
            double[] p = new double[plain.length];
            for (int i = 0; i < p.length; i++) p[i] = plain[i];
            assertClose(p, flipped, 1e-6);
        }
    }

    @Test void flipAveragesTheMirroredPredictionMirroredBack() {
        try (Scope s = Scope.open(); Conv2d net = Conv2d.of(3, 4, 3).padding(1).build(new Init(CPU, DType.F32, 7))) {
            int h = 5, w = 6;
            Tensor x = randomImages(1, h, w, 8);
            Tensor xm = Tensors.of(CPU, DType.F32, x.shape(), Inference.mirror(Tensors.toDoubles(x), w));
            double[] a = softmaxOf(net, x), b = Inference.mirror(softmaxOf(net, xm), w);
            double[] expected = new double[a.length];
            for (int i = 0; i < a.length; i++) expected[i] = (a[i] + b[i]) / 2;
            float[] got = new Inference(net, CPU, List.of(1.0), true).probabilities(x).values();
            assertClose(expected, got, 1e-6);
            double maxDiff = 0;
            for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            assertTrue(maxDiff > 1e-3, "the test network must not be flip-symmetric");
        }
    }

    /**
     * Logits constant over space, class 1 = 0.1·h + 0.01·w of the network's input (class 0 = 0):
     * at each scale p1 = sigmoid(0.1·h_s + 0.01·w_s), so the average is known in closed form, and
     * the sizes the network saw must be round(10·s) × round(13·s).
     */
    @Test void multiScaleAveragesOverExactlyResizedInputs() {
        SizeProbe probe = new SizeProbe();
        Inference inf = new Inference(probe, CPU, List.of(0.5, 0.75, 1.25), true);
        try (Scope s = Scope.open()) {
            ClassProbabilities p = inf.probabilities(randomImages(1, 10, 13, 9));
            int[][] sizes = {{5, 7}, {8, 10}, {13, 16}};
            assertEquals(6, probe.seen.size());
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(sizes[k], probe.seen.get(2 * k), "plain view at scale " + k);
                assertArrayEquals(sizes[k], probe.seen.get(2 * k + 1), "mirrored view at scale " + k);
            }
            double expected1 = 0;
            for (int[] hw : sizes) expected1 += 1 / (1 + Math.exp(-(0.1 * hw[0] + 0.01 * hw[1]))) / 3;
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 13; x++) {
                    assertEquals(expected1, p.get(0, 1, y, x), 1e-6);
                    assertEquals(1 - expected1, p.get(0, 0, y, x), 1e-6);
                }
            }
        }
    }

    @Test void multiScaleOnATinyConvEqualsTheAverageOfItsViews() {
        try (Scope s = Scope.open(); Conv2d net = new Conv2d(new Init(CPU, DType.F32, 12), 3, 3, 1)) {
            Tensor x = randomImages(1, 6, 9, 13);
            double[] full = softmaxOf(net, x);
            double[] half;
            try (GradMode.Guard off = GradMode.off()) {
                Tensor small = adl.autograd.ResizeOps.bilinear(x, 3, 5, false);        // round(6·0.5), round(9·0.5)
                Tensor p = SoftmaxOps.softmax(net.forward(small), 1);
                half = Tensors.toDoubles(adl.autograd.ResizeOps.bilinear(p, 6, 9, false));
            }
            double[] expected = new double[full.length];
            for (int i = 0; i < full.length; i++) expected[i] = (half[i] + full[i]) / 2;
            assertClose(expected, new Inference(net, CPU, List.of(0.5, 1.0), false).probabilities(x).values(), 1e-6);
        }
    }

    @Test void everythingMadeForTheViewsIsFreed() {
        try (Conv2d net = Conv2d.of(3, 4, 3).padding(1).build(new Init(CPU, DType.F32, 1))) {
            Inference inf = new Inference(net, CPU, List.of(0.5, 1.0, 1.5), true);
            float[] img = new float[3 * 7 * 8];
            for (int i = 0; i < img.length; i++) img[i] = (float) Math.sin(i);
            long before = MemoryStats.liveStorages();
            inf.predict(img, 7, 8);
            assertEquals(before, MemoryStats.liveStorages(), "live storages after inference outside any scope");
        }
    }

    @Test void badScalesAreRejected() {
        SizeProbe probe = new SizeProbe();
        assertThrows(IllegalArgumentException.class, () -> new Inference(probe, CPU, List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new Inference(probe, CPU, List.of(1.0, -0.5), false));
        assertThrows(IllegalArgumentException.class, () -> new Inference(probe, CPU, List.of(Double.NaN), false));
        assertEquals(161, Inference.scaledSize(321, 0.5));
        assertEquals(1, Inference.scaledSize(3, 0.1));
    }

    /** Records the input size of every call; logits [N, 2, h, w] with class 1 = 0.1·h + 0.01·w everywhere. */
    static final class SizeProbe extends Module {
        final List<int[]> seen = new ArrayList<>();

        @Override public Tensor forward(Tensor x) {
            int n = x.dim(0), h = x.dim(2), w = x.dim(3);
            seen.add(new int[] {h, w});
            double[] v = new double[n * 2 * h * w];
            for (int b = 0; b < n; b++) java.util.Arrays.fill(v, (b * 2 + 1) * h * w, (b * 2 + 2) * h * w, 0.1 * h + 0.01 * w);
            return Tensors.of(Device.of(x), DType.F32, Shape.of(n, 2, h, w), v);
        }
    }
}
