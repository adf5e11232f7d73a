package adl.nas;

import adl.autograd.Autograd;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Init;
import adl.optim.Adam;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny supernet (3 layers, so all four levels exist) at an odd crop, as deeplab's nas_network_test. */
class SuperNetTest {
    static SuperNet net;
    static final int H = 33, W = 35, CLASSES = 5;

    @BeforeAll static void build() {
        net = new SuperNet(new Init(Device.CPU, DType.F32, 1), new SuperNet.Config(3, 2, 2, CLASSES));
    }

    @AfterAll static void free() { net.close(); }

    static Tensor images(long seed) { return Tensors.randn(Device.CPU, DType.F32, Shape.of(2, 3, H, W), seed, 0, 1); }

    static Tensor labels(long seed) {
        int[] l = new int[2 * H * W];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < l.length; i++) l[i] = r.nextInt(10) == 0 ? 255 : r.nextInt(CLASSES);
        return Tensors.ofInts(Device.CPU, Shape.of(2, H, W), l);
    }

    @Test void levelSizesRoundUpAtEveryHalving() {
        assertEquals(81, SuperNet.levelSizes(321, 321)[0][0]);
        assertEquals(41, SuperNet.levelSizes(321, 321)[1][0]);
        assertEquals(21, SuperNet.levelSizes(321, 321)[2][0]);
        assertEquals(11, SuperNet.levelSizes(321, 321)[3][0]);
        assertEquals(16, SuperNet.levelSizes(64, 64)[0][0]);
        assertEquals(2, SuperNet.levelSizes(64, 64)[3][0]);
    }

    @Test void everyNodeHasItsShape() {
        int[][] sizes = SuperNet.levelSizes(H, W); // 9x9, 5x5, 3x3, 2x2 (rows), 9, 5, 3, 2 (cols)
        try (Scope s = Scope.open()) {
            Map<Long, Tensor> h = net.nodeOutputs(images(1));
            int nodes = 0;
            for (Trellis.Node n : net.trellis().nodes()) {
                Tensor t = h.get(Trellis.key(n.layer(), n.level()));
                assertEquals(Shape.of(2, 2 * (2 << n.level()), sizes[n.level()][0], sizes[n.level()][1]), t.shape(),
                        "node (" + n.layer() + ", " + n.level() + ")");
                nodes++;
            }
            assertEquals(2 + 3 + 4, nodes);
            assertEquals(Shape.of(2, CLASSES, H, W), net.forward(images(1)).shape());
        }
    }

    @Test void weightAndArchitectureParametersAreDisjointAndCoverEverything() {
        Set<Tensor> w = Collections.newSetFromMap(new IdentityHashMap<>());
        w.addAll(net.weightParameters());
        for (Tensor a : net.archParameters()) assertFalse(w.contains(a));
        assertEquals(net.parameters().size(), w.size() + 2);
        assertEquals(Shape.of(net.topology().edges(), 8), net.arch().alpha().shape());
        assertEquals(Shape.of(3, 4, 3), net.arch().beta().shape());
    }

    @Test void architectureStepComputesNoWeightGradientAndWeightStepNoArchGradient() {
        try (BilevelStep<Adam> architect = BilevelStep.architecture(net, 3e-3, 0.9, 0.999, 1e-3)) {
            double[] before = Tensors.toDoubles(net.arch().alpha());
            double loss;
            try (Scope s = Scope.open()) {
                loss = architect.step(images(2), labels(2));
            }
            assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
            for (Tensor p : net.weightParameters()) assertNull(p.grad(), "a weight gradient was computed by the architecture step");
            assertFalse(java.util.Arrays.equals(before, Tensors.toDoubles(net.arch().alpha())), "α did not move");
        }
        try (Scope s = Scope.open()) {
            Autograd.backward(net.loss(images(3), labels(3)), net.weightParameters());
        }
        for (Tensor a : net.archParameters()) assertNull(a.grad(), "an architecture gradient was computed by the weight step");
        int withGrad = 0;
        for (Tensor p : net.weightParameters()) {
            if (p.grad() != null) {
                withGrad++;
                p.grad().close();
                p.setGrad(null);
            }
        }
        assertEquals(net.weightParameters().size(), withGrad, "every weight gets a gradient");
    }

    @Test void invalidBetaSlotsStayZeroAndDecodingWorks() {
        double[][][] b = net.arch().betaValues();
        TrellisLayout t = net.trellis().layout();
        for (int l = 0; l < 3; l++) for (int u = 0; u < 4; u++) for (int d = 0; d < 3; d++) {
            if (!t.valid(l, u, d)) assertEquals(0.0, b[l][u][d], "invalid slot β[" + l + "][" + u + "][" + d + "]");
        }
        Architecture a = net.decode();
        assertEquals(3, a.path().length);
        assertEquals(4, a.cell().size());
        assertNotNull(a.toJson());
    }
}
