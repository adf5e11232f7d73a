package adl.nn;

import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.testing.Golden;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Module structure without running any conv/BN/pool kernel: state_dict names, order and shapes
 * against torch (scripts/golden/nn.py), loading, train/eval propagation, PyTorch default init,
 * and the lifetime of parameters.
 */
class ModuleTest {
    static final Golden G = Golden.load("nn_modules");

    /** The Java twin of scripts/golden/nn.py's MODEL. */
    static Sequential goldenModel(Init init) {
        return new Sequential(
                Conv2d.of(2, 4, 3).stride(2).padding(1).bias(false).build(init),
                new BatchNorm2d(init, 4),
                new ReLU(),
                new MaxPool2d(3, 2, 1),
                new Conv2d(init, 4, 3, 1),
                BatchNorm2d.of(3).affine(false).build(init),
                new AvgPool2d(3, 1, 1, false));
    }

    /** The fixture's state dict, dtype F32 (num_batches_tracked as I32). */
    static Map<String, Tensor> goldenState(String prefix) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        for (JsonNode k : G.meta().get("keys")) {
            String key = k.asText();
            sd.put(key, G.tensor(prefix + key, key.endsWith("num_batches_tracked") ? DType.I32 : DType.F32));
        }
        return sd;
    }

    @Test void stateDictNamesOrderAndShapesMatchTorch() {
        try (Sequential m = goldenModel(new Init(Device.CPU, DType.F32, 1))) {
            List<String> keys = new ArrayList<>(), shapes = new ArrayList<>();
            for (JsonNode k : G.meta().get("keys")) keys.add(k.asText());
            for (JsonNode s : G.meta().get("shapes")) shapes.add(s.toString().replace(",", ", "));
            Map<String, Tensor> sd = m.stateDict();
            assertEquals(keys, new ArrayList<>(sd.keySet()));
            List<String> ours = new ArrayList<>();
            for (Tensor t : sd.values()) ours.add(t.shape().toString());
            assertEquals(shapes, ours);
            assertEquals(List.of("0.weight", "1.weight", "1.bias", "4.weight", "4.bias"), new ArrayList<>(m.namedParameters().keySet()));
            assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked", "5.running_mean", "5.running_var", "5.num_batches_tracked"),
                    new ArrayList<>(m.namedBuffers().keySet()));
            assertEquals(5, m.parameters().size());
            for (Tensor p : m.parameters()) assertTrue(p.requiresGrad() && p.isLeaf(), p.describe());
            for (Tensor b : m.namedBuffers().values()) assertFalse(b.requiresGrad(), b.describe());
        }
    }

    @Test void loadStateDictCopiesValuesAndCounter() {
        try (Scope s = Scope.open(); Sequential m = goldenModel(new Init(Device.CPU, DType.F32, 1))) {
            Map<String, Tensor> src = goldenState("sd.");
            m.loadStateDict(src);
            for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
                assertArrayEquals(Tensors.toDoubles(src.get(e.getKey())), Tensors.toDoubles(e.getValue()), e.getKey());
            }
            src.put("1.num_batches_tracked", Tensors.ofInts(Device.CPU, Shape.SCALAR, 7));
            m.loadStateDict(src);
            assertEquals(7, ((BatchNorm2d) m.get(1)).numBatchesTracked());
            assertEquals(7, Tensors.item(m.stateDict().get("1.num_batches_tracked")));

            Map<String, Tensor> missing = new LinkedHashMap<>(src);
            missing.remove("4.bias");
            assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(missing));
            Map<String, Tensor> wrongShape = new LinkedHashMap<>(src);
            wrongShape.put("4.bias", Tensors.zeros(Device.CPU, DType.F32, 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(wrongShape));
            assertTrue(e.getMessage().contains("4.bias"), e.getMessage());
        }
    }

    @Test void trainEvalReachesEveryDescendant() {
        Init init = new Init(Device.CPU, DType.F32, 1);
        try (Sequential inner = new Sequential(new BatchNorm2d(init, 2), new ReLU());
             Sequential outer = new Sequential(new Affine(init, 3), inner)) {
            List<Module> all = List.of(outer, outer.get(0), inner, inner.get(0), inner.get(1));
            for (Module m : all) assertTrue(m.isTraining());
            outer.eval();
            for (Module m : all) assertFalse(m.isTraining(), m.getClass().getSimpleName());
            inner.train();
            assertFalse(outer.isTraining());
            assertTrue(inner.get(0).isTraining());
            outer.train();
            for (Module m : all) assertTrue(m.isTraining());
            assertEquals(List.of("0.weight", "0.bias", "1.0.weight", "1.0.bias"), new ArrayList<>(outer.namedParameters().keySet()));
            assertEquals("1.0.running_mean", outer.stateDict().keySet().stream().skip(4).findFirst().orElseThrow());
        }
    }

    /** PyTorch's Conv2d default: weight and bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = in/groups·k·k. */
    @Test void conv2dDefaultInitIsSeededKaimingUniform() {
        try (Conv2d c = new Conv2d(new Init(Device.CPU, DType.F32, 3), 32, 64, 3);
             Conv2d same = new Conv2d(new Init(Device.CPU, DType.F32, 3), 32, 64, 3);
             Conv2d other = new Conv2d(new Init(Device.CPU, DType.F32, 4), 32, 64, 3);
             Conv2d dw = Conv2d.depthwise(8, 5).padding(4).dilation(2).bias(false).build(new Init(Device.CPU, DType.F64, 3))) {
            double bound = 1 / Math.sqrt(32 * 9);
            double[] w = Tensors.toDoubles(c.weight());
            double sq = 0;
            for (double v : w) {
                assertTrue(Math.abs(v) <= bound * (1 + 1e-6), "weight " + v + " outside ±" + bound);
                sq += v * v;
            }
            double std = Math.sqrt(sq / w.length), expect = bound / Math.sqrt(3);
            assertEquals(expect, std, 0.03 * expect, "std of U(-b, b) is b/sqrt(3)");
            for (double v : Tensors.toDoubles(c.bias())) assertTrue(Math.abs(v) <= bound * (1 + 1e-6), "bias " + v);
            assertArrayEquals(w, Tensors.toDoubles(same.weight()), "same seed, same weights");
            assertArrayEquals(Tensors.toDoubles(c.bias()), Tensors.toDoubles(same.bias()));
            assertFalse(Arrays.equals(w, Tensors.toDoubles(other.weight())), "another seed, other weights");
            assertFalse(Arrays.equals(Arrays.copyOf(w, 64), Tensors.toDoubles(c.bias())), "weight and bias from different seeds");

            assertEquals(Shape.of(8, 1, 5, 5), dw.weight().shape());
            assertEquals(DType.F64, dw.weight().dtype());
            assertNull(dw.bias());
            assertEquals(List.of("weight"), new ArrayList<>(dw.namedParameters().keySet()));
            assertEquals(ConvParams.of(1, 4, 2, 8), dw.convParams());
            for (double v : Tensors.toDoubles(dw.weight())) assertTrue(Math.abs(v) <= 1 / 5.0);
            assertThrows(IllegalArgumentException.class, () -> Conv2d.of(6, 4, 3).padding(1).groups(4).bias(false).build(new Init(Device.CPU, DType.F32, 1)));
        }
    }

    @Test void batchNormDefaultsAndNonAffine() {
        Init init = new Init(Device.CPU, DType.F32, 1);
        try (BatchNorm2d bn = new BatchNorm2d(init, 3); BatchNorm2d plain = BatchNorm2d.of(3).eps(1e-3).affine(false).build(init)) {
            assertArrayEquals(new double[] {1, 1, 1}, Tensors.toDoubles(bn.weight()));
            assertArrayEquals(new double[] {0, 0, 0}, Tensors.toDoubles(bn.bias()));
            assertArrayEquals(new double[] {0, 0, 0}, Tensors.toDoubles(bn.runningMean()));
            assertArrayEquals(new double[] {1, 1, 1}, Tensors.toDoubles(bn.runningVar()));
            Tensor nbt = bn.stateDict().get("num_batches_tracked");
            assertEquals(DType.I32, nbt.dtype());
            assertEquals(Shape.SCALAR, nbt.shape());
            assertEquals(0, Tensors.item(nbt));
            assertEquals(1e-5, bn.eps());
            assertEquals(0.1, bn.momentum());
            assertTrue(plain.namedParameters().isEmpty());
            assertNull(plain.weight());
            assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), new ArrayList<>(plain.stateDict().keySet()));
            assertEquals(1e-3, plain.eps());
        }
    }

    /** Parameters outlive the scope they were made in, and closing the module frees them (and their gradients). */
    @Test void parametersBelongToTheModule() {
        long storages0 = MemoryStats.liveStorages(), bytes0 = MemoryStats.liveBytes();
        Sequential m;
        try (Scope s = Scope.open()) {
            m = goldenModel(new Init(Device.CPU, DType.F32, 9));
        }
        for (Tensor t : m.stateDict().values()) t.checkAlive();
        Tensor w = m.namedParameters().get("0.weight");
        w.setGrad(Scope.untracked(() -> Tensors.zerosLike(w)));
        assertTrue(MemoryStats.liveStorages() > storages0);
        m.close();
        assertEquals(storages0, MemoryStats.liveStorages());
        assertEquals(bytes0, MemoryStats.liveBytes());
    }

    @Test void rejectsDuplicateAndDottedNames() {
        Init init = new Init(Device.CPU, DType.F32, 1);
        class Bad extends Module {
            Bad(String second) {
                registerParameter("w", Parameter.create("w", () -> init.full(Shape.of(2), 0)));
                registerModule(second, new ReLU());
            }

            @Override public Tensor forward(Tensor x) { return x; }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad("w"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("a.b"));
        try (Bad ok = new Bad("act")) {
            assertEquals(List.of("act"), new ArrayList<>(ok.children().keySet()));
            assertNotEquals(null, ok.namedParameters().get("w"));
        }
    }

    /** A module used twice: named_parameters lists its tensors once, state_dict under both names (as torch). */
    @Test void sharedModuleListedOnceAsParametersTwiceInStateDict() {
        Affine shared = new Affine(new Init(Device.CPU, DType.F32, 1), 3);
        try (Sequential m = new Sequential(shared, new ReLU(), shared)) {
            assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(m.namedParameters().keySet()));
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(m.stateDict().keySet()));
            assertTrue(m.stateDict().get("0.weight") == m.stateDict().get("2.weight"));
        }
    }
}
