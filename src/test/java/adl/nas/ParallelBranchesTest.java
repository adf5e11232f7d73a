package adl.nas;

import adl.autograd.ParallelBranches;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.cpu.Parallel;
import adl.memory.Scope;
import adl.nn.FrozenRunningStats;
import adl.nn.Init;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A MixedOp's branches as parallel tasks (ParallelBranches, BranchTasks): the loss, every gradient
 * and every BN running statistic are bitwise those of one thread running the branches one after
 * another, with and without recomputation, for the weight step and the architecture step; the
 * caller's frozen running statistics hold in the tasks too.
 */
class ParallelBranchesTest {
    private final int threadsBefore = Parallel.threads();

    @AfterEach void restoreThreads() { Parallel.setThreads(threadsBefore); }

    private static RecomputeTest.Run on(int threads, Supplier<RecomputeTest.Run> run) {
        Parallel.setThreads(threads);
        return run.get();
    }

    private static void assertSameBits(RecomputeTest.Run a, RecomputeTest.Run b, String what) {
        assertEquals(a.loss(), b.loss(), 0.0, what + ": loss");
        assertEquals(a.grads().size(), b.grads().size());
        int compared = 0;
        for (int i = 0; i < a.grads().size(); i++) {
            assertEquals(a.grads().get(i) == null, b.grads().get(i) == null, what + ": gradient " + i + " present in both or neither");
            if (a.grads().get(i) == null) continue;
            assertArrayEquals(a.grads().get(i), b.grads().get(i), 0.0, what + ": gradient " + i);
            compared++;
        }
        assertEquals(true, compared >= 2, what + ": gradients compared " + compared);
        for (int i = 0; i < a.buffers().size(); i++) assertArrayEquals(a.buffers().get(i), b.buffers().get(i), 0.0, what + ": buffer " + i);
    }

    @Test void theTestInputsRunAsParallelTasks() {
        Parallel.setThreads(2);
        try (Tensor x = Tensors.zeros(Device.CPU, DType.F32, 2, 4, RecomputeTest.H, RecomputeTest.W)) {
            assertNotSame(ParallelBranches.SERIAL, BranchTasks.forInput(x), "two threads: the branches are tasks");
        }
        Parallel.setThreads(1);
        try (Tensor x = Tensors.zeros(Device.CPU, DType.F32, 2, 4, RecomputeTest.H, RecomputeTest.W)) {
            assertSame(ParallelBranches.SERIAL, BranchTasks.forInput(x), "one thread: one after another");
        }
    }

    @Test void recomputedBranchesOnTwoThreadsGiveOneThreadsBitsInF32() {
        RecomputeTest.Run one = on(1, () -> RecomputeTest.run(DType.F32, true, false));
        assertSameBits(one, on(2, () -> RecomputeTest.run(DType.F32, true, false)), "recompute, 2 threads");
        assertSameBits(one, on(2, () -> RecomputeTest.run(DType.F32, false, false)), "stored, 2 threads");
    }

    @Test void recomputedBranchesOnTwoThreadsGiveOneThreadsBitsInF64() {
        RecomputeTest.Run one = on(1, () -> RecomputeTest.run(DType.F64, false, false));
        assertSameBits(one, on(2, () -> RecomputeTest.run(DType.F64, true, false)), "recompute, 2 threads");
    }

    @Test void archStepOnTwoThreadsGivesOneThreadsBits() {
        RecomputeTest.Run one = on(1, () -> RecomputeTest.run(DType.F32, true, true));
        assertSameBits(one, on(2, () -> RecomputeTest.run(DType.F32, true, true)), "arch only, 2 threads");
    }

    @Test void frozenRunningStatisticsHoldInTheTasks() {
        Parallel.setThreads(2);
        try (SuperNet net = new SuperNet(new Init(Device.CPU, DType.F32, 3), new SuperNet.Config(3, 2, 2, RecomputeTest.CLASSES))) {
            List<double[]> before = new ArrayList<>();
            for (Tensor b : net.namedBuffers().values()) before.add(Tensors.toDoubles(b));
            try (Scope s = Scope.open(); FrozenRunningStats f = FrozenRunningStats.freeze()) {
                net.forward(Tensors.randn(Device.CPU, DType.F32, Shape.of(2, 3, RecomputeTest.H, RecomputeTest.W), 11, 0, 1));
            }
            int i = 0;
            for (Tensor b : net.namedBuffers().values()) assertArrayEquals(before.get(i++), Tensors.toDoubles(b), 0.0, "buffer " + (i - 1));
            try (Scope s = Scope.open()) {
                net.forward(Tensors.randn(Device.CPU, DType.F32, Shape.of(2, 3, RecomputeTest.H, RecomputeTest.W), 11, 0, 1));
            }
            i = 0;
            int changed = 0;
            for (Tensor b : net.namedBuffers().values()) if (!java.util.Arrays.equals(before.get(i++), Tensors.toDoubles(b))) changed++;
            assertEquals(true, changed > 10, "without the freeze the forward updates the running statistics (" + changed + " buffers)");
        }
    }
}
