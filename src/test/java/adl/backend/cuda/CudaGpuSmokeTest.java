package adl.backend.cuda;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

import static adl.backend.cuda.NativeLibraries.Library;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End-to-end smoke test of the bindings on a real GPU (tag "gpu": excluded from the default build; run with
 * {@code mvn test -Dtest=CudaGpuSmokeTest -Dadl.test.excludedGroups=none}). Driver: context per thread, copies,
 * a hand-written PTX kernel (src/test/resources/cuda/add_one.ptx), events, graph capture and replay;
 * then one cuBLAS SGEMM and one cuDNN convolution when those libraries are found.
 */
@Tag("gpu")
class CudaGpuSmokeTest {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    static byte[] ptx() throws IOException {
        try (InputStream in = CudaGpuSmokeTest.class.getResourceAsStream("/cuda/add_one.ptx")) {
            return in.readAllBytes();
        }
    }

    @Test void driverCopiesLaunchesTimesAndReplaysAGraph() throws Exception {
        CudaDriver drv = new CudaDriver(NativeLibraries.fromEnvironment().load(Library.CUDA, Arena.global()));
        drv.init();
        assertTrue(drv.deviceCount() > 0);
        try (CudaContext ctx = CudaContext.primary(drv, 0); Arena a = Arena.ofConfined()) {
            MemorySegment stream = drv.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING);
            int n = 1000;
            long bytes = 4L * n;
            long dptr = drv.memAlloc(bytes);
            MemorySegment host = drv.memHostAlloc(bytes, 0);
            for (int i = 0; i < n; i++) host.setAtIndex(F32, i, i);
            drv.memcpyHtoDAsync(dptr, host, bytes, stream);

            MemorySegment module = drv.moduleLoadData(ptx());
            MemorySegment fn = drv.moduleGetFunction(module, "add_one");
            MemorySegment pArg = a.allocate(ValueLayout.JAVA_LONG);
            pArg.set(ValueLayout.JAVA_LONG, 0, dptr);
            MemorySegment nArg = a.allocate(ValueLayout.JAVA_INT);
            nArg.set(ValueLayout.JAVA_INT, 0, n);
            MemorySegment params = a.allocate(ValueLayout.ADDRESS, 2);
            params.setAtIndex(ValueLayout.ADDRESS, 0, pArg);
            params.setAtIndex(ValueLayout.ADDRESS, 1, nArg);

            MemorySegment start = drv.eventCreate(CudaDriver.CU_EVENT_DEFAULT);
            MemorySegment end = drv.eventCreate(CudaDriver.CU_EVENT_DEFAULT);
            drv.eventRecord(start, stream);
            drv.launchKernel(fn, (n + 255) / 256, 1, 1, 256, 1, 1, 0, stream, params);
            drv.eventRecord(end, stream);

            drv.streamBeginCapture(stream, CudaDriver.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
            drv.launchKernel(fn, (n + 255) / 256, 1, 1, 256, 1, 1, 0, stream, params);
            MemorySegment graph = drv.streamEndCapture(stream);
            MemorySegment exec = drv.graphInstantiate(graph, 0);
            drv.graphLaunch(exec, stream);
            drv.graphLaunch(exec, stream);

            drv.memcpyDtoHAsync(host, dptr, bytes, stream);
            drv.streamSynchronize(stream);
            for (int i = 0; i < n; i++) assertEquals(i + 3f, host.getAtIndex(F32, i), "element " + i);
            assertTrue(drv.eventElapsedTime(start, end) >= 0f);

            // another thread must set the context before it calls CUDA
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    ctx.makeCurrent();
                    drv.memFree(drv.memAlloc(1 << 20));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            t.join();
            assertNull(failure.get());

            var oom = assertThrows(CudaException.class, () -> drv.memAlloc(1L << 50));
            assertEquals("CUDA_ERROR_OUT_OF_MEMORY", oom.codeName());
            assertTrue(oom.getMessage().contains("bytes=" + (1L << 50)), oom.getMessage());

            drv.graphExecDestroy(exec);
            drv.graphDestroy(graph);
            drv.eventDestroy(start);
            drv.eventDestroy(end);
            drv.moduleUnload(module);
            drv.memFreeHost(host);
            drv.memFree(dptr);
            drv.streamDestroy(stream);
        }
    }

    @Test void cublasSgemmAndCudnnConvolution() {
        NativeLibraries libs = NativeLibraries.fromEnvironment();
        assumeTrue(libs.locate(Library.CUBLAS).ok() && libs.locate(Library.CUDNN).ok(), "cuBLAS or cuDNN not installed");
        CudaDriver drv = new CudaDriver(libs.load(Library.CUDA, Arena.global()));
        drv.init();
        try (CudaContext ctx = CudaContext.primary(drv, 0); Arena a = Arena.ofConfined()) {
            MemorySegment stream = drv.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING);
            // cuBLAS, column-major: A 2x3 = [1 3 5; 2 4 6], B 3x1 = [1 1 1] → C = [9; 12]
            Cublas blas = new Cublas(libs.load(Library.CUBLAS, Arena.global()));
            MemorySegment h = blas.create();
            blas.setStream(h, stream);
            assertTrue(blas.version(h) >= 120000);
            long dA = upload(drv, a, stream, 1, 2, 3, 4, 5, 6);
            long dB = upload(drv, a, stream, 1, 1, 1);
            long dC = upload(drv, a, stream, 0, 0);
            blas.sgemm(h, Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_N, 2, 1, 3, a.allocateFrom(F32, 1f), dA, 2, dB, 3,
                    a.allocateFrom(F32, 0f), dC, 2);
            float[] c = download(drv, a, stream, dC, 2);
            assertEquals(9f, c[0]);
            assertEquals(12f, c[1]);

            // cuDNN: x [1,1,3,3] = 1..9, w [1,1,2,2] = ones, no padding → y [1,1,2,2] = [12 16; 24 28]
            Cudnn dnn = new Cudnn(libs.load(Library.CUDNN, Arena.global()));
            assertTrue(dnn.version() >= 90000);
            MemorySegment dh = dnn.createHandle();
            dnn.setStream(dh, stream);
            MemorySegment xd = dnn.tensor4d(Cudnn.CUDNN_DATA_FLOAT, 1, 1, 3, 3);
            MemorySegment wd = dnn.filter4d(Cudnn.CUDNN_DATA_FLOAT, 1, 1, 2, 2);
            MemorySegment yd = dnn.tensor4d(Cudnn.CUDNN_DATA_FLOAT, 1, 1, 2, 2);
            MemorySegment cd = dnn.convolution2d(0, 0, 1, 1, 1, 1, 1, Cudnn.CUDNN_DATA_FLOAT);
            long dx = upload(drv, a, stream, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            long dw = upload(drv, a, stream, 1, 1, 1, 1);
            long dy = upload(drv, a, stream, 0, 0, 0, 0);
            dnn.call("cudnnConvolutionForward", "x [1,1,3,3], w [1,1,2,2]", dh, a.allocateFrom(F32, 1f), xd, MemorySegment.ofAddress(dx),
                    wd, MemorySegment.ofAddress(dw), cd, 0, MemorySegment.NULL, 0L, a.allocateFrom(F32, 0f), yd, MemorySegment.ofAddress(dy));
            float[] y = download(drv, a, stream, dy, 4);
            assertEquals(12f, y[0]);
            assertEquals(16f, y[1]);
            assertEquals(24f, y[2]);
            assertEquals(28f, y[3]);
            var bad = assertThrows(CudaException.class, () -> dnn.tensor4d(Cudnn.CUDNN_DATA_FLOAT, -1, 1, 3, 3));
            assertTrue(bad.getMessage().contains("[-1, 1, 3, 3]"), bad.getMessage());
        }
    }

    private static long upload(CudaDriver drv, Arena a, MemorySegment stream, float... v) {
        long d = drv.memAlloc(4L * v.length);
        drv.memcpyHtoDAsync(d, a.allocateFrom(F32, v), 4L * v.length, stream);
        drv.streamSynchronize(stream);
        return d;
    }

    private static float[] download(CudaDriver drv, Arena a, MemorySegment stream, long d, int n) {
        MemorySegment h = a.allocate(F32, n);
        drv.memcpyDtoHAsync(h, d, 4L * n, stream);
        drv.streamSynchronize(stream);
        return h.toArray(F32);
    }
}
