package adl.nas.retrain;

import adl.autograd.Autograd;
import adl.autograd.GradMode;
import adl.autograd.LossOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Init;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradients reach every parameter; dropout and drop-path are functions of (seed, iteration) and off in eval mode. */
class TrainingBehaviourTest {
    static final int H = 37, W = 29, CLASSES = 4;

    static Tensor labels(long seed) {
        int[] l = new int[2 * H * W];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < l.length; i++) l[i] = r.nextInt(10) == 0 ? 255 : r.nextInt(CLASSES);
        return Tensors.ofInts(Device.CPU, Shape.of(2, H, W), l);
    }

    static FixedNetwork withDropPath(double keep, long seed) {
        return new FixedNetwork(new Init(Device.CPU, DType.F32, seed),
                new FixedNetwork.Config(Nets.paper(2), 2, CLASSES).withWidths(Nets.SMALL).withDropPathKeep(keep));
    }

    static double[] logits(FixedNetwork net, Tensor x) {
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.off()) {
            return Tensors.toDoubles(net.forward(x));
        }
    }

    @Test void oneBackwardReachesEveryParameter() {
        try (FixedNetwork net = withDropPath(0.8, 2); Scope s = Scope.open()) {
            net.setStep(1, 3, 0.5);
            Tensor loss = LossOps.crossEntropy(net.forward(Nets.images(2, H, W, 4)), labels(5), LossOps.IGNORE_LABEL);
            Autograd.backward(loss);
            int nonZero = 0;
            for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
                assertNotNull(p.getValue().grad(), p.getKey() + " has no gradient");
                if (Arrays.stream(Tensors.toDoubles(p.getValue().grad())).anyMatch(v -> v != 0)) nonZero++;
            }
            int all = net.namedParameters().size();
            assertTrue(nonZero > all * 9 / 10, nonZero + " of " + all + " gradients are non-zero");
            assertTrue(net.namedParameters().containsKey("logits.bias"));
            assertTrue(net.namedParameters().containsKey("cells.11.ops.9.conv.weight"));
        }
    }

    @Test void masksAreAFunctionOfSeedAndIteration() {
        try (FixedNetwork a = withDropPath(0.7, 9); FixedNetwork b = withDropPath(0.7, 9); Scope s = Scope.open()) {
            Tensor x = Nets.images(2, H, W, 1);
            a.setStep(42, 100, 0.8);
            double[] first = logits(a, x);
            a.setStep(42, 101, 0.8);
            double[] next = logits(a, x);
            b.setStep(42, 100, 0.8); // a resumed run: another instance, same weights, same (seed, iteration)
            assertArrayEquals(first, logits(b, x));
            assertFalse(Arrays.equals(first, next), "another iteration draws other masks");
            b.setStep(43, 100, 0.8);
            assertFalse(Arrays.equals(first, logits(b, x)), "another seed draws other masks");
        }
    }

    @Test void evalModeHasNoDropoutNorDropPath() {
        try (FixedNetwork a = withDropPath(0.5, 9); FixedNetwork off = withDropPath(1.0, 9); Scope s = Scope.open()) {
            a.eval();
            off.eval();
            Tensor x = Nets.images(2, H, W, 1);
            a.setStep(1, 1, 1.0);
            double[] y1 = logits(a, x);
            a.setStep(2, 7, 1.0);
            assertArrayEquals(y1, logits(a, x));
            assertArrayEquals(y1, logits(off, x), "eval mode equals the network without drop-path");
        }
    }

    @Test void dropPathIsOffAtTheStartOfTraining() {
        try (FixedNetwork a = withDropPath(0.5, 9); FixedNetwork off = withDropPath(1.0, 9); Scope s = Scope.open()) {
            Tensor x = Nets.images(2, H, W, 1);
            a.setStep(5, 0, 0.0);
            off.setStep(5, 0, 0.0);
            assertArrayEquals(logits(off, x), logits(a, x), "progress 0: keep probability 1 in every cell, only dropout differs (and it is the same)");
            a.setStep(5, 0, 1.0);
            assertFalse(Arrays.equals(logits(off, x), logits(a, x)));
        }
    }

    @Test void dropPathKeepIsScaledByDepthAndProgress() {
        DropSchedule d = new DropSchedule();
        d.set(0, 0, 0.5);
        // cell 5 of 12, keep 0.7: 1 − 6/12·0.3 = 0.85 at the end of training; halfway 1 − 0.5·0.15 = 0.925
        assertEquals(0.925, d.dropPathKeep(0.7, 5, 12), 1e-12);
        d.set(0, 0, 1.0);
        assertEquals(0.7, d.dropPathKeep(0.7, 11, 12), 1e-12);
        assertEquals(1.0, d.dropPathKeep(1.0, 3, 12), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> d.set(0, 0, 1.5));
    }

    @Test void dropoutMaskKeepsTheRightFractionScaledUp() {
        DropSchedule d = new DropSchedule();
        d.set(7, 3, 0.0);
        try (Scope s = Scope.open()) {
            Tensor ones = Tensors.full(Device.CPU, DType.F32, Shape.of(1, 4, 100, 100), 1);
            double[] y = Tensors.toDoubles(d.dropout(ones, 0.9, 0));
            long zeros = Arrays.stream(y).filter(v -> v == 0).count();
            assertEquals(0.1, zeros / (double) y.length, 0.01);
            for (double v : y) assertTrue(v == 0 || Math.abs(v - 1 / 0.9) < 1e-6, "kept values are scaled by 1/keep: " + v);
            double[] perSample = Tensors.toDoubles(d.dropPath(Tensors.full(Device.CPU, DType.F32, Shape.of(64, 2, 3, 3), 1), 0.5, 9));
            for (int n = 0; n < 64; n++) {
                for (int i = 1; i < 18; i++) assertEquals(perSample[n * 18], perSample[n * 18 + i], "drop-path drops whole samples");
            }
        }
    }
}
