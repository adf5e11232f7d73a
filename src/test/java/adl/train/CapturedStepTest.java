package adl.train;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.cpu.CpuBackend;
import adl.backend.cuda.CudaBackend;
import adl.backend.cuda.FakeCudaDevice;
import adl.backend.GraphCaptureException;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CapturedStep} on the fake CUDA device: a toy step (g = x·p, loss = Σ g, SGD with momentum on
 * p at a learning rate that changes every iteration) runs eagerly, is captured, then replayed, and
 * must give the CPU's parameters bit for bit at every iteration — so replays read the new inputs and
 * the new learning rate from device memory. Also: the call sequence, no allocation in steady state.
 */
class CapturedStepTest {
    static final int N = 6;
    static final double[][] X = new double[9][N];

    static {
        for (int it = 0; it < X.length; it++) for (int i = 0; i < N; i++) X[it][i] = ((it * 7 + i * 3) % 11 - 5) / 4.0;
    }

    /** The toy step on any backend; {@code first}: the momentum buffer's first step. */
    static void toyStep(Backend be, Tensor x, Tensor p, Tensor buf, boolean first, double lr, Tensor loss) {
        Tensor g = new Tensor(be.allocate(DType.F32, N), Shape.of(N), new long[] {1}, 0);
        try (g) {
            be.binary(BinaryOp.MUL, x, p, g);
            be.sumTo(g, loss);
            be.sgdStep(p, g, buf, lr, 0.9, 1e-3, false, first);
        }
    }

    static Tensor on(Backend be, DType t, int n) { return new Tensor(be.allocate(t, n), Shape.of(n), new long[] {1}, 0); }

    static double lr(int it) { return 0.1 / (it + 1); }

    @Test
    void warmupCaptureThenReplaysFollowTheCpuBitForBit() {
        FakeCudaDevice fake = new FakeCudaDevice();
        CudaBackend cuda = fake.backend();
        CpuBackend cpu = CpuBackend.INSTANCE;
        Tensor p = on(cuda, DType.F32, N), buf = on(cuda, DType.F32, N), hp = on(cpu, DType.F32, N), hbuf = on(cpu, DType.F32, N);
        Tensor hloss = on(cpu, DType.F32, 1);
        double[] p0 = {0.5, -1, 0.25, 2, -0.75, 1.5};
        cuda.write(p, p0);
        cpu.write(hp, p0);
        double[] lr = {0};
        boolean[] stepped = {false};
        List<CapturedStep.Phase> phases = new ArrayList<>();
        long driverAfterCapture = -1;
        int eagerLaunchesAfterCapture = -1;
        try (CapturedStep step = new CapturedStep(cuda, "toy", 2, 1, (in, losses) -> {
            toyStep(cuda, in[0], p, buf, !stepped[0], lr[0], losses[0]);
            stepped[0] = true;
        }, () -> cuda.stepScalars().setSgdLr(lr[0]))) {
            for (int it = 0; it < X.length; it++) {
                lr[0] = lr(it);
                Tensor hx = on(cpu, DType.F32, N);
                cpu.write(hx, X[it]);
                double loss = step.run(hx)[0];
                phases.add(step.lastPhase());
                toyStep(cpu, hx, hp, hbuf, it == 0, lr(it), hloss);
                hx.close();
                assertArrayEquals(cpu.read(hp), cuda.read(p), "parameters after iteration " + it + " (" + step.lastPhase() + ")");
                assertEquals(cpu.read(hloss)[0], loss, 1e-5, "loss of iteration " + it);
                if (it == 2) {
                    driverAfterCapture = fake.driverAllocations();
                    eagerLaunchesAfterCapture = fake.eagerLaunches();
                }
            }
            assertEquals(List.of("begin", "end", "instantiate", "launch", "launch", "launch", "launch", "launch", "launch", "launch"),
                    fake.graphCalls());
            assertEquals(7, step.graph().launches());
        }
        assertEquals(List.of(CapturedStep.Phase.EAGER, CapturedStep.Phase.EAGER, CapturedStep.Phase.CAPTURED, CapturedStep.Phase.REPLAYED,
                CapturedStep.Phase.REPLAYED, CapturedStep.Phase.REPLAYED, CapturedStep.Phase.REPLAYED, CapturedStep.Phase.REPLAYED,
                CapturedStep.Phase.REPLAYED), phases);
        assertEquals(driverAfterCapture, fake.driverAllocations(), "replays allocate nothing");
        // after the capture, the Java path launches only the input uploads' and reads' work: no kernels
        assertEquals(eagerLaunchesAfterCapture, fake.eagerLaunches(), "replays launch no kernel through Java");
        assertTrue(fake.replayedLaunches() > 0);
        assertEquals("sync", fake.graphCalls().get(fake.graphCalls().size() - 2), "close waits for the last replay");
        assertEquals("destroy", fake.graphCalls().getLast());
    }

    @Test
    void anInputOfAnotherShapeIsRefusedNamingBoth() {
        CudaBackend cuda = new FakeCudaDevice().backend();
        try (CapturedStep step = new CapturedStep(cuda, "toy", 1, 1, (in, losses) -> cuda.fill(losses[0], 1), () -> {})) {
            step.run(on(CpuBackend.INSTANCE, DType.F32, 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step.run(on(CpuBackend.INSTANCE, DType.F32, 5)));
            assertTrue(e.getMessage().contains("F32[5]") && e.getMessage().contains("F32[4]"), e.getMessage());
        }
    }

    @Test
    void aBodyThatReadsTheHostFailsAtCaptureNamingTheRead() {
        CudaBackend cuda = new FakeCudaDevice().backend();
        try (CapturedStep step = new CapturedStep(cuda, "toy", 1, 1, (in, losses) -> {
            cuda.fill(losses[0], cuda.read(in[0])[0]);
        }, () -> {})) {
            Tensor hx = on(CpuBackend.INSTANCE, DType.F32, 2);
            CpuBackend.INSTANCE.write(hx, new double[] {0, 0});
            assertEquals(0.0, step.run(hx)[0]);   // eager: fine
            GraphCaptureException e = assertThrows(GraphCaptureException.class, () -> step.run(hx));
            assertTrue(e.getMessage().contains("host synchronisation") && e.getMessage().contains("'toy'"), e.getMessage());
        }
    }

    @Test
    void warmupMustBeAtLeastOne() {
        CudaBackend cuda = new FakeCudaDevice().backend();
        assertThrows(IllegalArgumentException.class, () -> new CapturedStep(cuda, "toy", 0, 1, (in, l) -> {}, () -> {}));
    }
}
