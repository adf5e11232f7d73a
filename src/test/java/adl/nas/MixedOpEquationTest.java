package adl.nas;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Paper Eq. 1–2 at module level: the mixed op ō(x) = Σ_k α̂_k · o_k(x). With a one-hot α̂ the
 * MixedOp is exactly that one op (bit for bit the op run alone with the same weights; the zero op
 * gives zeros), and each op is what its definition says, computed by hand ({@link HandOps}):
 * max/avg_pool_3x3 → BN, skip_connect = x, sep_conv_kxk = (ReLU → depthwise k×k → 1×1 → BN) × 2,
 * dil_conv_kxk = ReLU → depthwise k×k dilation 2 → 1×1 → BN (docs/02-search-space.md).
 */
class MixedOpEquationTest {
    /** α's columns in the paper's order (column 0, 'none', is the zero op and never computed). */
    static final List<String> COLUMNS = List.of("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
            "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5");
    static final int N = 2, C = 3, H = 6, W = 7;
    static final double EPS = 1e-5, TOL = 1e-10;

    static Tensor input() { return Tensors.randn(Device.CPU, DType.F64, Shape.of(N, C, H, W), 11, 0, 1); }

    /** w: the computed ops' weights (α̂ without 'none'), one-hot at α column k (all zero for k = 0, 'none'). */
    static Tensor oneHot(int k) {
        double[] w = new double[COLUMNS.size() - 1];
        if (k > 0) w[k - 1] = 1;
        return Tensors.of(Device.CPU, DType.F64, Shape.of(w.length), w);
    }

    @Test void aOneHotAlphaMakesTheMixedOpExactlyThatOp() {
        try (Scope s = Scope.open(); MixedOp op = new MixedOp(new Init(Device.CPU, DType.F64, 5), C)) {
            Tensor x = input();
            for (int k = 0; k < COLUMNS.size(); k++) {
                String name = COLUMNS.get(k);
                double[] mixed = Tensors.toDoubles(op.forward(x, oneHot(k)));
                double[] alone = k == 0 ? new double[mixed.length]
                        : k == 3 ? Tensors.toDoubles(x)
                        : Tensors.toDoubles(op.children().get(name).forward(x));
                assertArrayEquals(alone, mixed, 0.0, name + ": the one-hot mixed op is not exactly the op alone");
                assertArrayEquals(byHand(op, name, HandOps.of(x)).v(), alone, TOL, name + " differs from its definition");
            }
        }
    }

    @Test void anyAlphaGivesTheWeightedSumOfTheHandComputedOps() {
        double[] w = {0.05, 0.2, 0.1, 0.3, 0.15, 0.08, 0.12};
        try (Scope s = Scope.open(); MixedOp op = new MixedOp(new Init(Device.CPU, DType.F64, 6), C)) {
            Tensor x = input();
            HandOps.T hx = HandOps.of(x);
            double[] want = new double[hx.v().length];
            for (int k = 1; k < COLUMNS.size(); k++) {
                double[] o = byHand(op, COLUMNS.get(k), hx).v();
                for (int i = 0; i < want.length; i++) want[i] += w[k - 1] * o[i];
            }
            assertArrayEquals(want, Tensors.toDoubles(op.forward(x, Tensors.of(Device.CPU, DType.F64, Shape.of(w.length), w))), TOL);
        }
    }

    @Test void theMixedOpHasABranchForEveryComputedOpAndNoneForTheZeroAndIdentityOps() {
        try (MixedOp op = new MixedOp(new Init(Device.CPU, DType.F32, 1), C)) {
            assertEquals(List.of("max_pool_3x3", "avg_pool_3x3", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"),
                    List.copyOf(op.children().keySet()));
        }
    }

    /** o_k(x) from its definition, with the branch's own weights. */
    static HandOps.T byHand(MixedOp op, String name, HandOps.T x) {
        if (name.equals("none")) return HandOps.zerosLike(x);
        if (name.equals("skip_connect")) return x;
        if (name.startsWith("max_pool") || name.startsWith("avg_pool")) return HandOps.batchNorm(HandOps.pool3x3(x, name.startsWith("max")), EPS);
        Module branch = op.children().get(name);
        Map<String, Tensor> p = branch.namedParameters();
        int k = name.endsWith("3x3") ? 3 : 5;
        if (name.startsWith("sep_conv")) {
            // op = Sequential(ReLU, dw, pw, BN, ReLU, dw, pw, BN): children 1, 2, 5, 6 hold the weights
            HandOps.T y = x;
            for (int half : new int[] {1, 5}) {
                y = HandOps.conv(HandOps.relu(y), p.get("op." + half + ".weight"), 1, k / 2, 1, C);
                y = HandOps.batchNorm(HandOps.conv(y, p.get("op." + (half + 1) + ".weight"), 1, 0, 1, 1), EPS);
            }
            return y;
        }
        // dil_conv: Sequential(ReLU, dw dilation 2, pw, BN)
        HandOps.T y = HandOps.conv(HandOps.relu(x), p.get("op.1.weight"), 1, 2 * (k / 2), 2, C);
        return HandOps.batchNorm(HandOps.conv(y, p.get("op.2.weight"), 1, 0, 1, 1), EPS);
    }
}
