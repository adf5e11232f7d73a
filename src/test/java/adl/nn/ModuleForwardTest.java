package adl.nn;

import adl.autograd.Autograd;
import adl.autograd.ReduceOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;
import adl.testing.Close;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Forward of a Sequential(Conv2d, BatchNorm2d, ReLU, MaxPool2d, Conv2d, BatchNorm2d(non-affine),
 * AvgPool2d) against torch (scripts/golden/nn.py), in training mode (batch statistics, running
 * statistics updated, num_batches_tracked counted) and then in eval mode (running statistics,
 * nothing updated). Needs the real ConvOps / NormOps / PoolOps (other branches): on the nnoptim
 * branch alone, with the TEMP stubs, it fails with UnsupportedOperationException.
 */
class ModuleForwardTest {
    @Test void sequentialForwardMatchesTorchInTrainAndEval() {
        try (Scope s = Scope.open(); Sequential m = ModuleTest.goldenModel(new Init(Device.CPU, DType.F32, 1))) {
            m.loadStateDict(ModuleTest.goldenState("sd."));
            Tensor x = ModuleTest.G.tensor("x", DType.F32);

            m.train();
            Close.assertClose("y train", m.forward(x), ModuleTest.G.data("y_train"), 1e-5, 1e-4);
            Map<String, double[]> afterTrain = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : m.namedBuffers().entrySet()) {
                Close.assertClose(e.getKey() + " after train forward", e.getValue(), ModuleTest.G.data("after." + e.getKey()), 1e-6, 1e-5);
                afterTrain.put(e.getKey(), Tensors.toDoubles(e.getValue()));
            }
            assertEquals(1, ((BatchNorm2d) m.get(1)).numBatchesTracked());

            m.eval();
            Close.assertClose("y eval", m.forward(x), ModuleTest.G.data("y_eval"), 1e-5, 1e-4);
            for (Map.Entry<String, Tensor> e : m.namedBuffers().entrySet()) {
                assertArrayEquals(afterTrain.get(e.getKey()), Tensors.toDoubles(e.getValue()), e.getKey() + " unchanged by eval forward");
            }
        }
    }

    /** Backward through the modules reaches every parameter, and a step's scope frees all intermediates. */
    @Test void backwardReachesEveryParameterAndFreesIntermediates() {
        try (Sequential m = ModuleTest.goldenModel(new Init(Device.CPU, DType.F32, 2))) {
            long storages0 = -1;
            for (int step = 0; step < 2; step++) {
                if (step == 1) storages0 = MemoryStats.liveStorages();
                try (Scope s = Scope.open()) {
                    Tensor x = ModuleTest.G.tensor("x", DType.F32);
                    Autograd.backward(ReduceOps.sumAll(m.forward(x)));
                    for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                        Tensor g = e.getValue().grad();
                        assertNotNull(g, e.getKey());
                        assertEquals(e.getValue().shape(), g.shape(), e.getKey());
                    }
                }
                for (Tensor p : m.parameters()) {
                    p.grad().close();
                    p.setGrad(null);
                }
                if (step == 1) assertEquals(storages0, MemoryStats.liveStorages(), "live storages after a forward/backward step");
            }
        }
    }
}
