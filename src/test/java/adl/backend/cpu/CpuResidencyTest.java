package adl.backend.cpu;

import adl.autograd.Autograd;
import adl.autograd.ConvOps;
import adl.autograd.ElementwiseOps;
import adl.autograd.ReduceOps;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heap cache of CPU storages (CpuResidency, docs/01-tensors-and-autograd.md §8): with a budget
 * smaller than the live tensors, storages are spilled off-heap between ops and copied back when an op uses them;
 * values, and the results of a forward and backward, are bitwise those of a run that never spills.
 */
class CpuResidencyTest {
    /** 64 KiB of floats: the smallest tracked storage. */
    private static final Shape SMALLEST = Shape.of(2, 8, 32, 32);

    private final long savedBudget = CpuResidency.budgetBytes();

    @AfterEach
    void restoreBudget() { CpuResidency.budgetBytes(savedBudget); }

    private static CpuStorage storage(Tensor t) { return (CpuStorage) t.storage(); }

    @Test
    void aStorageNotUsedByTheOpIsSpilledAndComesBackBitwise() {
        Tensor a = Tensors.uniform(Device.CPU, DType.F32, SMALLEST, 1, -1, 1);
        float[] expected = storage(a).floats().clone();
        long[] before = CpuStorage.residencyCounters();
        CpuResidency.budgetBytes(1); // every storage beyond the current op's operands spills
        Tensor b = Tensors.uniform(Device.CPU, DType.F32, SMALLEST, 2, -1, 1);
        assertTrue(storage(a).spilled(), "a is not an operand of b's fill, so it spills");
        assertFalse(storage(b).spilled(), "the op's own operand stays on the heap");
        long[] after = CpuStorage.residencyCounters();
        assertTrue(after[0] > before[0] && after[2] - before[2] >= 4L * SMALLEST.size(), Arrays.toString(after));
        assertTrue(after[4] >= 4L * SMALLEST.size(), "a's values are in an off-heap segment");

        double[] back = Tensors.toDoubles(a); // an op on a: restored first
        assertFalse(storage(a).spilled());
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], (float) back[i], 0.0, "element " + i);
        assertArrayEquals(expected, storage(a).floats());
        a.close();
        b.close();
    }

    @Test
    void freeingASpilledStorageGivesItsSegmentBack() {
        Tensor a = Tensors.uniform(Device.CPU, DType.F32, SMALLEST, 3, -1, 1);
        long liveBefore = CpuSegmentPool.liveBytes();
        CpuResidency.budgetBytes(1); // spills a, and any other live storage of this JVM
        Tensor b = Tensors.zeros(Device.CPU, DType.F32, 2, 8, 32, 32);
        assertTrue(storage(a).spilled());
        long liveSpilled = CpuSegmentPool.liveBytes();
        assertTrue(liveSpilled >= liveBefore + 4L * SMALLEST.size(), liveSpilled + " >= " + liveBefore + " + a");
        a.close();
        assertEquals(liveSpilled - 4L * SMALLEST.size(), CpuSegmentPool.liveBytes());
        assertTrue(a.storage().isFreed());
        b.close();
    }

    @Test
    void forwardAndBackwardAreBitwiseTheSameWhenEverythingSpills() {
        float[][] free = convStep(Long.MAX_VALUE);
        long spillsBefore = CpuStorage.residencyCounters()[0];
        float[][] tight = convStep(1);
        assertTrue(CpuStorage.residencyCounters()[0] > spillsBefore, "the tight budget spilled");
        for (int k = 0; k < free.length; k++) assertArrayEquals(free[k], tight[k], "result " + k);
    }

    /** conv → relu → conv → sum, backward; returns {loss, dL/dx, dL/dw1, dL/dw2} as floats. */
    private static float[][] convStep(long budget) {
        CpuResidency.budgetBytes(budget);
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.randn(Device.CPU, DType.F32, Shape.of(2, 8, 40, 40), 11, 0, 1).requiresGrad(true);
            Tensor w1 = Tensors.randn(Device.CPU, DType.F32, Shape.of(16, 8, 3, 3), 12, 0, 0.2).requiresGrad(true);
            Tensor w2 = Tensors.randn(Device.CPU, DType.F32, Shape.of(8, 16, 3, 3), 13, 0, 0.2).requiresGrad(true);
            Tensor h = ElementwiseOps.relu(ConvOps.conv2d(x, w1, null, ConvParams.of(1, 1, 1, 1)));
            Tensor y = ConvOps.conv2d(h, w2, null, ConvParams.of(1, 2, 2, 1));
            Tensor loss = ReduceOps.sumAll(ElementwiseOps.mul(y, y));
            Autograd.backward(loss);
            float[][] r = {floats(loss), floats(x.grad()), floats(w1.grad()), floats(w2.grad())};
            for (Tensor t : new Tensor[] {x, w1, w2}) t.grad().close();
            return r;
        }
    }

    private static float[] floats(Tensor t) {
        double[] d = Tensors.toDoubles(t);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
