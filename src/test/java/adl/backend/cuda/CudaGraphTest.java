package adl.backend.cuda;

import adl.backend.GraphCaptureException;
import adl.backend.cpu.CpuBackend;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CudaGraph} capture and replay on the fake device ({@link HostDevice}: a capture records
 * launches, a graph launch runs them again with the recorded arguments). Checks the call sequence,
 * that replays read the optimizer scalars from device memory written before each launch, that what a
 * graph cannot hold fails loudly and names itself, and that the graph's blocks stay its own.
 */
class CudaGraphTest {
    final HostDevice dev = new HostDevice();
    final CudaBackend cuda = dev.backend();
    final List<Tensor> open = new ArrayList<>();

    Tensor on(adl.backend.Backend be, DType t, int... dims) {
        Shape s = Shape.of(dims);
        Tensor x = new Tensor(be.allocate(t, s.numel()), s, s.contiguousStrides(), 0);
        open.add(x);
        return x;
    }

    @AfterEach void closeAll() {
        for (Tensor t : open) if (!t.isClosed()) t.close();
    }

    static double[] values(int n, int seed) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = ((i * 37 + seed * 11) % 23 - 11) / 8.0;
        return v;
    }

    @Test
    void captureRecordsOnceThenReplaysReadTheScalarsWrittenBeforeEachLaunch() {
        double[] lrs = {0.1, 0.07, 0.05, 0.02, 0.01};
        Tensor p = on(cuda, DType.F32, 13), g = on(cuda, DType.F32, 13), m = on(cuda, DType.F32, 13);
        Tensor hp = on(CpuBackend.INSTANCE, DType.F32, 13), hg = on(CpuBackend.INSTANCE, DType.F32, 13), hm = on(CpuBackend.INSTANCE, DType.F32, 13);
        cuda.write(p, values(13, 1));
        cuda.write(g, values(13, 2));
        CpuBackend.INSTANCE.write(hp, values(13, 1));
        CpuBackend.INSTANCE.write(hg, values(13, 2));

        cuda.sgdStep(p, g, m, lrs[0], 0.9, 1e-2, true, true);   // eager warm-up: the momentum buffer's first step
        CpuBackend.INSTANCE.sgdStep(hp, hg, hm, lrs[0], 0.9, 1e-2, true, true);
        double[] before = cuda.read(p);
        int eagerLaunches = dev.launches.size();
        CudaGraph graph = cuda.capture("sgd", () -> cuda.sgdStep(p, g, m, lrs[1], 0.9, 1e-2, true, false));
        assertEquals(List.of("begin", "end", "instantiate"), dev.graphCalls);
        assertArrayEquals(before, cuda.read(p), "a capture records, it does not run");
        assertEquals(eagerLaunches, dev.launches.size());
        for (int it = 1; it < lrs.length; it++) {
            if (it > 1) cuda.stepScalars().setSgdLr(lrs[it]);   // the capture set lrs[1] itself
            graph.launch();
            CpuBackend.INSTANCE.sgdStep(hp, hg, hm, lrs[it], 0.9, 1e-2, true, false);
            assertArrayEquals(CpuBackend.INSTANCE.read(hp), cuda.read(p), "parameters after replay " + it);
            assertArrayEquals(CpuBackend.INSTANCE.read(hm), cuda.read(m), "momentum after replay " + it);
        }
        assertEquals(eagerLaunches, dev.launches.size(), "replays launch nothing through the Java path");
        assertEquals(4, dev.replayedLaunches);
        assertEquals(4, graph.launches());
        graph.close();
        assertEquals(List.of("begin", "end", "instantiate", "launch", "launch", "launch", "launch", "sync", "destroy"), dev.graphCalls);
        assertThrows(IllegalStateException.class, graph::launch);
    }

    @Test
    void adamReplaysReadTheirStepFromTheDevice() {
        Tensor p = on(cuda, DType.F32, 4), g = on(cuda, DType.F32, 4), m = on(cuda, DType.F32, 4), v = on(cuda, DType.F32, 4);
        List<Long> steps = new ArrayList<>();
        dev.hook = l -> {
            if (l.entry().equals("adam_f32")) steps.add(HostDevice.mem((Long) l.values().get(6), 8).get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
        };
        cuda.adamStep(p, g, m, v, 1, 3e-3, 0.9, 0.999, 1e-8, 0);
        CudaGraph graph = cuda.capture("adam", () -> cuda.adamStep(p, g, m, v, 2, 3e-3, 0.9, 0.999, 1e-8, 0));
        graph.launch();
        for (long t = 3; t <= 5; t++) {
            cuda.stepScalars().setAdam(CudaStorage.ptr(p), 3e-3, t);
            graph.launch();
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), steps);
        graph.close();
    }

    @Test
    void aHostReadDuringCaptureFailsNamingItAndLeavesTheBackendUsable() {
        Tensor t = on(cuda, DType.F32, 8);
        cuda.fill(t, 1);
        GraphCaptureException e = assertThrows(GraphCaptureException.class, () -> cuda.capture("step", () -> cuda.read(t)));
        assertTrue(e.getMessage().contains("host synchronisation") && e.getMessage().contains("read of")
                && e.getMessage().contains("'step'"), e.getMessage());
        assertEquals(List.of("begin", "end", "destroy"), dev.graphCalls, "the capture is ended and its partial graph destroyed");
        assertFalse(cuda.capturing());
        assertEquals(null, cuda.allocator().capturing());
        cuda.fill(t, 2);
        assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2, 2, 2}, cuda.read(t));
    }

    @Test
    void aHostWriteDuringCaptureFailsNamingIt() {
        Tensor t = on(cuda, DType.F32, 3);
        GraphCaptureException e = assertThrows(GraphCaptureException.class, () -> cuda.capture("step", () -> cuda.write(t, new double[3])));
        assertTrue(e.getMessage().contains("host→device copy") && e.getMessage().contains("write of"), e.getMessage());
    }

    @Test
    void aDriverAllocationDuringCaptureFailsNamingTheSize() {
        GraphCaptureException e = assertThrows(GraphCaptureException.class,
                () -> cuda.capture("step", () -> on(cuda, DType.F32, 1000)));
        assertTrue(e.getMessage().contains("driver allocation") && e.getMessage().contains("4.0 KiB"), e.getMessage());
    }

    @Test
    void aFirstOptimizerStepDuringCaptureFails() {
        Tensor p = on(cuda, DType.F32, 4), g = on(cuda, DType.F32, 4), m = on(cuda, DType.F32, 4), v = on(cuda, DType.F32, 4);
        cuda.sgdStep(p, g, null, 0.1, 0, 0, false, false);   // step scalars exist
        GraphCaptureException e = assertThrows(GraphCaptureException.class,
                () -> cuda.capture("step", () -> cuda.sgdStep(p, g, m, 0.1, 0.9, 0, false, true)));
        assertTrue(e.getMessage().contains("first step"), e.getMessage());
        e = assertThrows(GraphCaptureException.class, () -> cuda.capture("step", () -> cuda.adamStep(p, g, m, v, 1, 0.1, 0.9, 0.99, 1e-8, 0)));
        assertTrue(e.getMessage().contains("first step"), e.getMessage());
    }

    @Test
    void crossEntropyChecksLabelsOnTheDeviceOnlyOutsideACapture() {
        Tensor logits = on(cuda, DType.F32, 1, 3, 2, 2), labels = on(cuda, DType.I32, 1, 2, 2), loss = on(cuda, DType.F32, 1);
        cuda.crossEntropy(logits, labels, 255, loss);   // eager: reads the counts back (the fake leaves them 0)
        CudaGraph graph = cuda.capture("ce", () -> cuda.crossEntropy(logits, labels, 255, loss));
        assertEquals(List.of("cross_entropy_fwd_partial_f32", "cross_entropy_fwd_final_f32"),
                dev.graphs_.values().iterator().next().stream().map(HostDevice.Launch::entry).toList());
        graph.close();
    }

    @Test
    void theBlocksOfACaptureStayReservedUntilTheGraphIsClosed() {
        Runnable body = () -> {
            try (Tensor a = cuda.scratch(DType.F32, Shape.of(256)); Tensor b = cuda.scratch(DType.F32, Shape.of(512))) {
                cuda.fill(a, 1);
                cuda.fill(b, 2);
            }
        };
        body.run();   // warm-up: the blocks are now in the cache
        long driverBefore = cuda.allocator().driverAllocations();
        CudaGraph graph = cuda.capture("step", body);
        assertEquals(driverBefore, cuda.allocator().driverAllocations(), "the capture took cached blocks");
        CachingAllocator.Pool pool = graph.pool();
        assertEquals(1024 + 2048, pool.bytes());
        List<Long> graphPointers = new ArrayList<>();
        for (HostDevice.Launch l : dev.graphs_.values().iterator().next()) graphPointers.add((Long) l.values().get(0));
        for (long q : graphPointers) assertTrue(pool.owns(q));
        graph.launch();
        try (Tensor other = cuda.scratch(DType.F32, Shape.of(256)); Tensor other2 = cuda.scratch(DType.F32, Shape.of(512))) {
            assertFalse(graphPointers.contains(CudaStorage.ptr(other)), "a pool block handed out outside its graph");
            assertFalse(graphPointers.contains(CudaStorage.ptr(other2)), "a pool block handed out outside its graph");
        }
        graph.launch();
        long cachedBefore = cuda.allocator().cachedBytes();
        graph.close();
        assertEquals(cachedBefore + 1024 + 2048, cuda.allocator().cachedBytes(), "after close the pool's blocks are back in the cache");
        assertEquals(0, pool.bytes());
    }

    @Test
    void stepScalarsAreUploadedOncePerChangeAndNotDuringCapture() {
        int[] uploads = {0};
        CudaBackend counting = new CudaBackend(0, new CachingAllocator(dev), new CudaKernels(dev), new Transfers() {
            @Override public void toDevice(long dst, java.lang.foreign.MemorySegment src, long bytes) {
                uploads[0]++;
                dev.toDevice(dst, src, bytes);
            }

            @Override public void toHost(java.lang.foreign.MemorySegment dst, long src, long bytes) { dev.toHost(dst, src, bytes); }
        }, 0x5eL, null, null, dev.graphs);
        Tensor cp = on(counting, DType.F32, 4), cg = on(counting, DType.F32, 4);
        for (int k = 0; k < 3; k++) counting.sgdStep(cp, cg, null, 0.1, 0, 0, false, false);
        assertEquals(1, uploads[0], "same lr three times: one upload");
        counting.sgdStep(cp, cg, null, 0.2, 0, 0, false, false);
        assertEquals(2, uploads[0]);
        CudaGraph graph = counting.capture("sgd", () -> counting.sgdStep(cp, cg, null, 0.3, 0, 0, false, false));
        assertEquals(2, uploads[0], "nothing uploaded while capturing");
        graph.launch();
        assertEquals(3, uploads[0], "the capture's lr is flushed before the first launch");
        assertArrayEquals(new double[] {0.3, 2}, counting.stepScalars().value(StepScalars.SGD_LATER));
        graph.launch();
        assertEquals(3, uploads[0], "unchanged scalars: no copy");
        graph.close();
    }
}
