package adl.optim;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;
import adl.testing.Close;
import adl.testing.Golden;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SGD (momentum, weight decay, nesterov) and Adam against torch.optim float32 (fixture from
 * scripts/golden/optim.py): three steps with fixed gradients, the learning rate changed between
 * steps, and parameter b without a gradient at step 2 (skipped, state untouched, as torch).
 */
class OptimGoldenTest {
    private static final Golden G = Golden.load("optim");

    /** A fixture tensor as a trainable leaf that belongs to no scope. */
    private static Tensor leaf(String key, DType dt) {
        return Scope.untracked(() -> G.tensor(key, dt)).requiresGrad(true);
    }

    private static void check(String prefix, DType dt, Function<Map<String, Tensor>, Optimizer> make, double[] lrs) {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("a", leaf("a0", dt));
        params.put("b", leaf("b0", dt));
        try (Optimizer opt = make.apply(params)) {
            for (int k = 1; k <= 3; k++) {
                final int step = k;
                opt.zeroGrad();
                assertNull(params.get("a").grad());
                params.get("a").setGrad(Scope.untracked(() -> G.tensor("ga" + step, dt)));
                if (k != 2) params.get("b").setGrad(Scope.untracked(() -> G.tensor("gb" + step, dt)));
                opt.setLr(lrs[k - 1]);
                opt.step();
                Close.assertClose(prefix + "a" + k + " " + dt, params.get("a"), G.data(prefix + "a" + k), 1e-6, 1e-5);
                Close.assertClose(prefix + "b" + k + " " + dt, params.get("b"), G.data(prefix + "b" + k), 1e-6, 1e-5);
            }
            opt.zeroGrad();
            if (opt instanceof Adam adam) {
                assertEquals(3, adam.state().get("a").step());
                assertEquals(2, adam.state().get("b").step());
            }
        } finally {
            params.values().forEach(Tensor::close);
        }
    }

    private static double[] doubles(JsonNode arr) {
        double[] v = new double[arr.size()];
        for (int i = 0; i < v.length; i++) v[i] = arr.get(i).asDouble();
        return v;
    }

    @Test void sgdMomentumWeightDecay() {
        JsonNode m = G.meta();
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            check("sgd_", dt, ps -> new SGD(ps, 1, m.get("momentum").asDouble(), m.get("sgd_weight_decay").asDouble(), false), doubles(m.get("sgd_lr")));
        }
    }

    @Test void sgdNesterov() {
        JsonNode m = G.meta();
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            check("nes_", dt, ps -> new SGD(ps, 1, m.get("momentum").asDouble(), m.get("sgd_weight_decay").asDouble(), true), doubles(m.get("sgd_lr")));
        }
    }

    @Test void adamWithL2WeightDecay() {
        JsonNode m = G.meta();
        double lr = m.get("adam_lr").asDouble();
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            check("adam_", dt, ps -> new Adam(ps, lr, m.get("beta1").asDouble(), m.get("beta2").asDouble(),
                    m.get("eps").asDouble(), m.get("adam_weight_decay").asDouble()), new double[] {lr, lr, lr});
        }
    }

    /** Restoring saved state into a fresh optimizer continues exactly where the first one was. */
    @Test void restoredStateContinuesIdentically() {
        JsonNode m = G.meta();
        for (boolean adam : new boolean[] {false, true}) {
            Map<String, Tensor> p1 = Map.of("a", leaf("a0", DType.F32));
            Map<String, Tensor> p2 = Map.of("a", leaf("a0", DType.F32));
            Function<Map<String, Tensor>, Optimizer> make = ps -> adam
                    ? new Adam(ps, 0.05, 0.9, 0.999, 1e-8, 1e-3)
                    : new SGD(ps, 0.1, m.get("momentum").asDouble(), 3e-4, true);
            try (Optimizer o1 = make.apply(p1); Optimizer o2 = make.apply(p2)) {
                for (int k = 1; k <= 3; k++) {
                    final int step = k;
                    o1.zeroGrad();
                    p1.get("a").setGrad(Scope.untracked(() -> G.tensor("ga" + step, DType.F32)));
                    o1.step();
                    if (k == 2) { // snapshot after two steps: copy params and state into the second optimizer
                        Device.CPU.backend().copy(p1.get("a"), p2.get("a"));
                        if (o1 instanceof Adam a1) {
                            Adam.State st = a1.state().get("a");
                            ((Adam) o2).loadState("a", st.expAvg(), st.expAvgSq(), st.step());
                        } else {
                            ((SGD) o2).loadMomentumBuffer("a", ((SGD) o1).momentumBuffers().get("a"));
                        }
                    }
                    if (k == 3) {
                        o2.zeroGrad();
                        p2.get("a").setGrad(Scope.untracked(() -> G.tensor("ga" + step, DType.F32)));
                        o2.step();
                    }
                }
                assertArrayEquals(Tensors.toDoubles(p1.get("a")), Tensors.toDoubles(p2.get("a")), "adam=" + adam);
                o1.zeroGrad();
                o2.zeroGrad();
            } finally {
                p1.get("a").close();
                p2.get("a").close();
            }
        }
    }

    @Test void rejectsTheSameTensorTwice() {
        Tensor a = leaf("a0", DType.F32);
        try {
            Map<String, Tensor> twice = new LinkedHashMap<>();
            twice.put("x", a);
            twice.put("y", a);
            assertThrows(IllegalArgumentException.class, () -> new SGD(twice, 0.1, 0.9, 0, false));
        } finally {
            a.close();
        }
    }
}
