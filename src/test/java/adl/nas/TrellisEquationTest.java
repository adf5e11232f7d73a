package adl.nas;

import adl.autograd.Autograd;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paper Eq. 6 at module level, on a 3-layer trellis (all four levels exist):
 * H^l_v = Σ_u β̂_{u→v} · Cell(H^{l−1}_u, H^{l−2}_v). With β̂ one-hot on the edge from u, node (l, v)
 * is exactly that cell's output on H^{l−1}_u, which the cell brings to level v as Eq. 6 says:
 * from the finer level u = v − 1 down by a 3×3 stride-2 conv, from the coarser level u = v + 1 up
 * by a bilinear resize and a 1×1 conv, from the same level by a 1×1 conv (ReLU first, BN after;
 * checked against {@link HandOps}). And β's slots for edges the trellis does not have get exactly
 * zero gradient (paper Eq. 7 normalises over the existing edges only).
 */
class TrellisEquationTest {
    static final int L = 3, N = 2, H = 29, W = 23, CLASSES = 3;
    static SuperNet net;

    @BeforeAll static void build() { net = new SuperNet(new Init(Device.CPU, DType.F64, 3), new SuperNet.Config(L, 2, 2, CLASSES)); }

    @AfterAll static void free() { net.close(); }

    /** β̂ flattened [L·4·3] (index (l·4 + u)·3 + d): at every node, 1 on the incoming edge from predecessor {@code pick}, 0 elsewhere. */
    static Tensor oneHotBetaHat(int pick) {
        double[] b = new double[L * TrellisLayout.LEVELS * TrellisLayout.DIRECTIONS];
        for (Trellis.Node n : net.trellis().nodes()) {
            int u = n.predecessors().get(pick % n.predecessors().size());
            b[((n.layer() - 1) * TrellisLayout.LEVELS + u) * TrellisLayout.DIRECTIONS + n.level() - u + 1] = 1;
        }
        return Tensors.of(Device.CPU, DType.F64, Shape.of(b.length), b);
    }

    enum Path { DOWN, SAME, UP }

    @Test void aOneHotBetaHatMakesANodeExactlyTheChosenCellsOutput() {
        int[][] sizes = SuperNet.levelSizes(H, W);
        Set<Path> seen = EnumSet.noneOf(Path.class);
        try (Scope s = Scope.open()) {
            Tensor rate2 = Tensors.randn(Device.CPU, DType.F64, Shape.of(N, Stem.RATE2_CHANNELS, (H + 1) / 2, (W + 1) / 2), 1, 0, 1);
            Tensor stem = Tensors.randn(Device.CPU, DType.F64, Shape.of(N, Stem.RATE4_CHANNELS, sizes[0][0], sizes[0][1]), 2, 0, 1);
            Tensor[] edgeWeights = net.arch().edgeWeights(net.arch().alphaHat());
            for (int pick = 0; pick < 3; pick++) {
                Map<Long, Tensor> h = net.trellis().forward(rate2, stem, sizes, edgeWeights, oneHotBetaHat(pick));
                for (Trellis.Node n : net.trellis().nodes()) {
                    int u = n.predecessors().get(pick % n.predecessors().size());
                    int height = sizes[n.level()][0], width = sizes[n.level()][1];
                    Tensor from = h.get(Trellis.key(n.layer() - 1, u));
                    Tensor s1 = n.cell().preprocessPrev2(h.get(Trellis.key(n.prev2Layer(), n.prev2Level())), height, width);
                    Tensor cell = n.cell().forward(u, from, s1, edgeWeights);
                    String where = "node (" + n.layer() + ", " + n.level() + ") from level " + u;
                    assertArrayEquals(Tensors.toDoubles(cell), Tensors.toDoubles(h.get(Trellis.key(n.layer(), n.level()))), 0.0, where);
                    seen.add(checkResampling(n, u, from, height, width, where));
                }
            }
        }
        assertEquals(EnumSet.allOf(Path.class), seen, "every path of Eq. 6 was checked");
    }

    /** The cell's preprocessing of H^{l−1}_u against Eq. 6's resampling, computed by hand. */
    static Path checkResampling(Trellis.Node n, int u, Tensor from, int height, int width, String where) {
        Module pre = n.cell().children().get("pre_prev_level" + u);
        Tensor weight = pre.namedParameters().get("conv.weight");
        HandOps.T x = HandOps.relu(HandOps.of(from));
        Path path = u == n.level() - 1 ? Path.DOWN : u == n.level() ? Path.SAME : Path.UP;
        HandOps.T conv = switch (path) {
            case DOWN -> HandOps.conv(x, weight, 2, 1, 1, 1);
            case SAME -> HandOps.conv(x, weight, 1, 0, 1, 1);
            case UP -> HandOps.conv(HandOps.bilinear(x, height, width), weight, 1, 0, 1, 1);
        };
        assertEquals(path == Path.DOWN ? 3 : 1, weight.dim(2), where + ": kernel");
        HandOps.T want = HandOps.batchNorm(conv, 1e-5);
        Tensor got = ((Preprocess) pre).forward(from, height, width);
        assertEquals(Shape.of(N, want.c(), height, width), got.shape(), where);
        assertEquals(want.h(), height, where + ": the resampled size");
        assertArrayEquals(want.v(), Tensors.toDoubles(got), 1e-10, where + ": preprocessing");
        return path;
    }

    @Test void betaSlotsOfEdgesTheTrellisLacksGetExactlyZeroGradient() {
        TrellisLayout layout = net.trellis().layout();
        Tensor beta = net.arch().beta();
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.randn(Device.CPU, DType.F64, Shape.of(N, 3, H, W), 4, 0, 1);
            int[] l = new int[N * H * W];
            for (int i = 0; i < l.length; i++) l[i] = (i * 7 + i / 5) % CLASSES;
            Autograd.backward(net.loss(x, Tensors.ofInts(Device.CPU, Shape.of(N, H, W), l)), List.of(beta));
        }
        double[] g = Tensors.toDoubles(beta.grad());
        int masked = 0, real = 0;
        for (int layer = 0; layer < L; layer++) for (int u = 0; u < TrellisLayout.LEVELS; u++) for (int d = 0; d < TrellisLayout.DIRECTIONS; d++) {
            double v = g[(layer * TrellisLayout.LEVELS + u) * TrellisLayout.DIRECTIONS + d];
            String slot = "dL/dβ[" + layer + "][" + u + "][" + d + "]";
            if (layout.valid(layer, u, d)) {
                real++;
                assertTrue(Double.isFinite(v), slot);
                assertNotEquals(0.0, v, slot + " of an existing edge");
            } else {
                masked++;
                assertTrue(v == 0.0, slot + " of a missing edge is " + v + ", not exactly 0");
            }
        }
        beta.grad().close();
        beta.setGrad(null);
        assertEquals(L * 12, masked + real);
        assertTrue(masked > 0 && real > 0, masked + " masked, " + real + " real slots");
    }
}
