package adl.optim;

import adl.autograd.Autograd;
import adl.autograd.ElementwiseOps;
import adl.autograd.ReduceOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.nn.Affine;
import adl.nn.Init;
import adl.nn.Module;
import adl.nn.ReLU;
import adl.nn.Sequential;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole training step (forward, loss, backward, optimizer step, zeroGrad) inside one scope
 * leaves the live-memory counters exactly where they were, once the optimizer state exists
 * (after the first step); and the steps actually train (the loss falls).
 */
class TrainStepMemoryTest {
    private static final Shape X = Shape.of(6, 5, 7);

    /** One step on a fixed batch; returns the loss before the update. */
    private static double step(Module model, Optimizer opt) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.uniform(Device.CPU, DType.F32, X, 5, -1, 1);
            Tensor target = Tensors.uniform(Device.CPU, DType.F32, X, 6, 0, 1);
            Tensor d = ElementwiseOps.sub(model.forward(x), target);
            Tensor loss = ReduceOps.meanAll(ElementwiseOps.mul(d, d));
            Autograd.backward(loss);
            opt.step();
            opt.zeroGrad();
            return Tensors.item(loss);
        }
    }

    private static void check(String what, Function<Module, Optimizer> make) {
        long storages0 = MemoryStats.liveStorages(), bytes0 = MemoryStats.liveBytes();
        Init init = new Init(Device.CPU, DType.F32, 42);
        Module model = new Sequential(new Affine(init, 7), new ReLU(), new Affine(init, 7));
        Optimizer opt = make.apply(model);
        try {
            double first = step(model, opt);
            long storages = MemoryStats.liveStorages(), bytes = MemoryStats.liveBytes();
            double last = first;
            for (int i = 0; i < 5; i++) {
                last = step(model, opt);
                assertEquals(storages, MemoryStats.liveStorages(), what + ": live storages after step " + (i + 2));
                assertEquals(bytes, MemoryStats.liveBytes(), what + ": live bytes after step " + (i + 2));
            }
            for (Tensor p : model.parameters()) assertNull(p.grad(), what + ": zeroGrad leaves no gradient");
            assertTrue(last < first, what + ": loss " + first + " -> " + last + " should fall");
        } finally {
            opt.close();
            model.close();
        }
        assertEquals(storages0, MemoryStats.liveStorages(), what + ": closing the model and optimizer frees everything");
        assertEquals(bytes0, MemoryStats.liveBytes(), what);
    }

    @Test void sgdStepLeavesNoMemoryBehind() {
        check("sgd", m -> new SGD(m.namedParameters(), 0.1, 0.9, 3e-4, true));
    }

    @Test void adamStepLeavesNoMemoryBehind() {
        check("adam", m -> new Adam(m.namedParameters(), 0.01, 0.9, 0.999, 1e-8, 1e-3));
    }
}
