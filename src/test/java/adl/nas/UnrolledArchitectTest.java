package adl.nas;

import adl.autograd.Autograd;
import adl.autograd.Frozen;
import adl.autograd.GradMode;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.BatchNorm2d;
import adl.nn.FrozenRunningStats;
import adl.nn.Init;
import adl.nn.Module;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The second-order architecture gradient ({@link UnrolledArchitect}) on a tiny float64 supernet
 * (L = 2, B = 2, F = 2, 8×8 input, batch 2), against (a) central finite differences of the whole
 * unrolled objective F(α, β) = L_B(w − ξ(μ·buf + ∇_w L_A(w, α, β) + λ·w), α, β), the virtual step
 * written here on the host independently of the SGD kernel, and (b) the first-order step when ξ = 0,
 * bit for bit.
 *
 * <p>Tolerance of (a). The step's one approximation is the central difference of ∇_α L_A along
 * v = ∇_{w'} L_B with radius r = ε‖v‖ in weight space (DARTS: r = 0.01). For a smooth L_A its
 * error is O(r²); but L_A is only piecewise smooth (ReLU, max-pool): ∇_α L_A jumps wherever a
 * pre-activation crosses 0, and within r = 0.01 of w several do on this tiny net. So the test
 * runs the step at r = 0.01, 1e-3 and 1e-5 and asserts that the error shrinks at every step and
 * that at r = 1e-5 it is below 1e-4 of the second-order term's size (measured: 2.2e-1, 2.5e-3,
 * 3.6e-6 for a term of 1.28, max over α, β). The reference needs the same care: F itself jumps
 * in α (w' contains the ReLU derivatives of ∇_w L_A), so its central differences use h = 1e-6,
 * whose rounding error is ~1e-16/h = 1e-10 (measured against h = 1e-5: 3.5e-4 off; 1e-4: 6e-2).
 * The second-order term (|exact − first order| = 1.28) is asserted to be large, so dropping it
 * or flipping its sign fails.
 */
class UnrolledArchitectTest {
    static final int L = 2, B = 2, F = 2, CLASSES = 3, SIZE = 8, N = 2;
    static final double LR = 0.05, MOMENTUM = 0.9, WD = 3e-4, XI = 0.1, H = 1e-6;

    /** A supernet after one weight step (so every weight has a momentum buffer), α, β moved off their tiny init. */
    static final class Setup implements AutoCloseable {
        final SuperNet net = new SuperNet(new Init(Device.CPU, DType.F64, 5), new SuperNet.Config(L, B, F, CLASSES));
        final BilevelStep<SGD> weights = BilevelStep.weights(net, LR, MOMENTUM, WD);
        final BilevelStep<Adam> architect = BilevelStep.architecture(net, 3e-3, 0.9, 0.999, 1e-3);
        final Tensor xA = images(11), yA = labels(12), xB = images(13), yB = labels(14);

        Setup() {
            SplittableRandom r = new SplittableRandom(3);
            for (Tensor a : net.archParameters()) {
                double[] v = Tensors.toDoubles(a);
                for (int i = 0; i < v.length; i++) if (v[i] != 0) v[i] = 0.5 * r.nextGaussian(); // β's masked slots stay 0
                Device.backendOf(a).write(a, v);
            }
            try (Scope s = Scope.open()) {
                weights.at(LR).step(images(21), labels(22));
            }
        }

        @Override public void close() {
            for (Tensor t : List.of(xA, yA, xB, yB)) t.close();
            architect.close();
            weights.close();
            net.close();
        }
    }

    static Tensor images(long seed) {
        return Scope.untracked(() -> Tensors.randn(Device.CPU, DType.F64, Shape.of(N, 3, SIZE, SIZE), seed, 0, 1));
    }

    static Tensor labels(long seed) {
        int[] l = new int[N * SIZE * SIZE];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < l.length; i++) l[i] = r.nextInt(10) == 0 ? 255 : r.nextInt(CLASSES);
        return Scope.untracked(() -> Tensors.ofInts(Device.CPU, Shape.of(N, SIZE, SIZE), l));
    }

    /** α.grad and β.grad concatenated, then cleared. */
    static double[] takeArchGrad(SuperNet net) {
        List<Double> out = new ArrayList<>();
        for (Tensor a : net.archParameters()) {
            for (double d : Tensors.toDoubles(a.grad())) out.add(d);
        }
        for (Tensor a : net.archParameters()) {
            a.grad().close();
            a.setGrad(null);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double[] secondOrder(Setup s, double xi, double r) {
        new UnrolledArchitect(s.net, s.architect, s.weights.optimizer(), r).gradient(s.xA, s.yA, s.xB, s.yB, xi);
        return takeArchGrad(s.net);
    }

    /** ∇_{α,β} L_B(w, α, β): the first-order gradient. */
    static double[] firstOrder(Setup s) {
        try (Scope sc = Scope.open(); Frozen w = Frozen.of(s.net.weightParameters()); FrozenRunningStats f = FrozenRunningStats.freeze()) {
            Autograd.backward(s.net.loss(s.xB, s.yB), s.net.archParameters());
        }
        return takeArchGrad(s.net);
    }

    /** F(α, β) = L_B(w − ξ(μ·buf + ∇_w L_A(w) + λ·w)), the virtual step computed here on the host; w is left as it was. */
    static double objective(Setup s, double xi) {
        Map<String, Tensor> params = s.weights.optimizer().params();
        Map<String, Tensor> bufs = s.weights.optimizer().momentumBuffers();
        List<double[]> saved = new ArrayList<>();
        for (Tensor p : params.values()) saved.add(Tensors.toDoubles(p));
        try (Scope sc = Scope.open(); FrozenRunningStats f = FrozenRunningStats.freeze()) {
            try (Frozen a = Frozen.of(s.net.archParameters())) {
                Autograd.backward(s.net.loss(s.xA, s.yA), new ArrayList<>(params.values()));
            }
            int i = 0;
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                double[] w = saved.get(i++), g = Tensors.toDoubles(e.getValue().grad()), buf = Tensors.toDoubles(bufs.get(e.getKey()));
                double[] wv = new double[w.length];
                for (int k = 0; k < w.length; k++) wv[k] = w[k] - xi * (MOMENTUM * buf[k] + g[k] + WD * w[k]);
                Device.backendOf(e.getValue()).write(e.getValue(), wv);
            }
            s.weights.optimizer().zeroGrad();
            try (GradMode.Guard off = GradMode.off()) {
                return Tensors.item(s.net.loss(s.xB, s.yB));
            }
        } finally {
            int i = 0;
            for (Tensor p : params.values()) Device.backendOf(p).write(p, saved.get(i++));
        }
    }

    /** Central differences of F over every entry of α and β but β's masked slots (h = 1e-6: F is only piecewise smooth, see the class comment). */
    static double[] finiteDifferences(Setup s, double xi) {
        List<Double> out = new ArrayList<>();
        for (Tensor a : s.net.archParameters()) {
            double[] v = Tensors.toDoubles(a);
            for (int i = 0; i < v.length; i++) {
                double v0 = v[i];
                if (v0 == 0) { // a masked slot of β (Setup leaves only those at 0): F does not depend on it
                    out.add(0.0);
                    continue;
                }
                v[i] = v0 + H;
                Device.backendOf(a).write(a, v);
                double plus = objective(s, xi);
                v[i] = v0 - H;
                Device.backendOf(a).write(a, v);
                double minus = objective(s, xi);
                v[i] = v0;
                Device.backendOf(a).write(a, v);
                out.add((plus - minus) / (2 * H));
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test void secondOrderGradientMatchesFiniteDifferencesOfTheUnrolledObjective() {
        try (Setup s = new Setup()) {
            List<double[]> before = weightValues(s.net);
            double[] exact = finiteDifferences(s, XI);
            double[] first = firstOrder(s);
            double term = maxAbsDiff(exact, first); // the size of the second-order term
            double[] radii = {UnrolledArchitect.R, 1e-3, 1e-5};
            double[] err = new double[radii.length];
            for (int i = 0; i < radii.length; i++) {
                err[i] = maxAbsDiff(secondOrder(s, XI, radii[i]), exact);
                assertWeightsEqual(before, weightValues(s.net));
                System.out.printf("unrolled gradient: second-order term %.3e; r = %.0e: max |second order - exact| = %.3e%n", term, radii[i], err[i]);
            }
            assertTrue(term > 0.1, "the second-order term is visible: " + term);
            assertTrue(err[2] < 1e-4 * term, "r = 1e-5 vs finite differences of the unrolled objective: " + err[2] + " (term " + term + ")");
            for (int i = 1; i < err.length; i++) assertTrue(err[i] < err[i - 1], "the error shrinks with r: " + java.util.Arrays.toString(err));
            assertTrue(err[0] < 0.5 * term, "DARTS' r = 0.01 is still an approximation of the term, not noise: " + err[0]);
        }
    }

    @Test void xiZeroGivesTheFirstOrderStepBitForBit() {
        try (Setup one = new Setup(); Setup two = new Setup(); Scope sc = Scope.open()) {
            double[] alpha0 = Tensors.toDoubles(one.net.arch().alpha());
            double l1 = one.architect.step(one.xB, one.yB);
            double l2 = new UnrolledArchitect(two.net, two.architect, two.weights.optimizer()).step(two.xA, two.yA, two.xB, two.yB, 0);
            assertEquals(Double.doubleToRawLongBits(l1), Double.doubleToRawLongBits(l2));
            Map<String, Tensor> a = one.net.stateDict(), b = two.net.stateDict();
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) {
                long[] x = bits(Tensors.toDoubles(a.get(k))), y = bits(Tensors.toDoubles(b.get(k)));
                assertArrayEquals(x, y, k); // α, β, every weight, BN running statistics and counts
            }
            assertTrue(maxAbsDiff(Tensors.toDoubles(one.net.arch().alpha()), alpha0) > 0, "the step moved α");
        }
    }

    @Test void runningStatisticsAreUpdatedOncePerStepAsInFirstOrder() {
        try (Setup one = new Setup(); Setup two = new Setup(); Scope sc = Scope.open()) {
            long[] c0 = counts(one.net);
            one.architect.step(one.xB, one.yB);
            new UnrolledArchitect(two.net, two.architect, two.weights.optimizer()).step(two.xA, two.yA, two.xB, two.yB, XI);
            long[] c1 = counts(one.net), c2 = counts(two.net);
            assertArrayEquals(c1, c2, "num_batches_tracked after a first- and a second-order step");
            assertTrue(c1[0] > c0[0]);
        }
    }

    static long[] counts(Module m) {
        List<Long> out = new ArrayList<>();
        collectCounts(m, out);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static void collectCounts(Module m, List<Long> out) {
        if (m instanceof BatchNorm2d bn) out.add(bn.numBatchesTracked());
        for (Module c : m.children().values()) collectCounts(c, out);
    }

    static List<double[]> weightValues(SuperNet net) {
        List<double[]> out = new ArrayList<>();
        for (Tensor w : net.weightParameters()) out.add(Tensors.toDoubles(w));
        return out;
    }

    static void assertWeightsEqual(List<double[]> a, List<double[]> b) {
        for (int i = 0; i < a.size(); i++) assertArrayEquals(bits(a.get(i)), bits(b.get(i)), "weight " + i + " restored by copy");
    }

    static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }
}
