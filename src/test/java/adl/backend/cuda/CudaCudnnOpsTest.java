package adl.backend.cuda;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static adl.backend.cuda.CudaStorage.ptr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What CudaBackend hands cuDNN for each op, recorded by a fake {@link CudnnApi} (no GPU). */
class CudaCudnnOpsTest {
    /** Records every call as a list of its name and arguments; descriptors are numbered from 1000. */
    static final class Recorder implements CudnnApi {
        final List<List<Object>> calls = new ArrayList<>();
        long next = 1000;
        long workspaceBytes = 4096;

        private long desc(Object... what) {
            calls.add(List.of(what));
            return next++;
        }

        List<List<Object>> named(String name) { return calls.stream().filter(c -> c.getFirst().equals(name)).toList(); }

        @Override public long tensor4d(int n, int c, int h, int w) { return desc("tensor4d", n, c, h, w); }
        @Override public long filter4d(int k, int c, int r, int s) { return desc("filter4d", k, c, r, s); }
        @Override public long convolution(int padH, int padW, int strideH, int strideW, int dilH, int dilW, int groups, int mathType) {
            return desc("convolution", padH, padW, strideH, strideW, dilH, dilW, groups, mathType);
        }
        @Override public long pooling(int mode, int window, int pad, int stride) { return desc("pooling", mode, window, pad, stride); }
        @Override public Algo algorithm(Pass pass, long xDesc, long wDesc, long convDesc, long yDesc) {
            calls.add(List.of("algorithm", pass, xDesc, wDesc, convDesc, yDesc));
            return new Algo(7, workspaceBytes);
        }
        @Override public void convolve(Pass pass, long xDesc, long x, long wDesc, long w, long convDesc, Algo algo, long workspace,
                                       long yDesc, long y) {
            calls.add(List.of("convolve", pass, xDesc, x, wDesc, w, convDesc, algo, workspace, yDesc, y));
        }
        @Override public void batchNormTrain(long xDesc, long x, long y, long bnDesc, long scale, long bias, double factor, long runMean,
                                             long runVar, double eps, long saveMean, long saveInvStd) {
            calls.add(List.of("bnTrain", xDesc, x, y, bnDesc, scale, bias, factor, runMean, runVar, eps, saveMean, saveInvStd,
                    floatAt(scale), floatAt(bias)));
        }
        @Override public void batchNormInference(long xDesc, long x, long y, long bnDesc, long scale, long bias, long mean, long var, double eps) {
            calls.add(List.of("bnEval", xDesc, x, y, bnDesc, scale, bias, mean, var, eps));
        }
        @Override public void batchNormBackward(long xDesc, long x, long dy, long dx, long bnDesc, long scale, long dScale, long dBias,
                                                double eps, long saveMean, long saveInvStd) {
            calls.add(List.of("bnBackward", xDesc, x, dy, dx, bnDesc, scale, dScale, dBias, eps, saveMean, saveInvStd, floatAt(scale)));
        }
        @Override public void poolForward(long poolDesc, long xDesc, long x, long yDesc, long y) {
            calls.add(List.of("poolForward", poolDesc, xDesc, x, yDesc, y));
        }
        @Override public void poolBackward(long poolDesc, long yDesc, long y, long dy, long xDesc, long x, long dx) {
            calls.add(List.of("poolBackward", poolDesc, yDesc, y, dy, xDesc, x, dx));
        }

        private static float floatAt(long address) { return HostDevice.mem(address, 4).get(ValueLayout.JAVA_FLOAT, 0); }
    }

    final HostDevice dev = new HostDevice();
    final CudaBackend cuda = dev.backend();
    final Recorder rec = new Recorder();
    final List<Tensor> open = new ArrayList<>();

    { cuda.useCudnn(rec); }

    Tensor on(DType t, int... dims) {
        Shape s = Shape.of(dims);
        Tensor x = new Tensor(cuda.allocate(t, s.numel()), s, s.contiguousStrides(), 0);
        open.add(x);
        return x;
    }

    @AfterEach void close() { open.forEach(Tensor::close); }

    @Test void dilatedDepthwiseConvPassesItsGeometryAndQueriesTheAlgorithmOnce() {
        Tensor x = on(DType.F32, 2, 6, 9, 9), w = on(DType.F32, 6, 1, 3, 3), y = on(DType.F32, 2, 6, 9, 9);
        ConvParams p = new ConvParams(1, 1, 2, 2, 2, 2, 6);
        cuda.conv2dForward(x, w, p, y);
        cuda.conv2dForward(x, w, p, y);
        assertEquals(List.of(List.of("convolution", 2, 2, 1, 1, 2, 2, 6, CudnnNative.CUDNN_FMA_MATH)), rec.named("convolution"));
        assertEquals(List.of(List.of("filter4d", 6, 1, 3, 3)), rec.named("filter4d"));
        assertEquals(List.of(List.of("tensor4d", 2, 6, 9, 9)), rec.named("tensor4d"), "x and y share one cached descriptor");
        assertEquals(1, rec.named("algorithm").size(), "second call with the same shape does not query again");
        List<List<Object>> runs = rec.named("convolve");
        assertEquals(2, runs.size());
        List<Object> r = runs.getLast();
        assertEquals(CudnnApi.Pass.FORWARD, r.get(1));
        assertEquals(ptr(x), r.get(3));
        assertEquals(ptr(w), r.get(5));
        assertEquals(new CudnnApi.Algo(7, 4096), r.get(7));
        assertEquals(ptr(y), r.get(10));
        assertEquals(runs.getFirst().get(8), r.get(8), "one reusable workspace");
    }

    @Test void stridedConvBackwardPassesMapGradientsToTheRightSlotsWithOneQueryPerPass() {
        Tensor x = on(DType.F32, 1, 4, 7, 7), w = on(DType.F32, 8, 2, 3, 3), gy = on(DType.F32, 1, 8, 4, 4);
        Tensor gx = on(DType.F32, 1, 4, 7, 7), gw = on(DType.F32, 8, 2, 3, 3);
        ConvParams p = new ConvParams(2, 2, 1, 1, 1, 1, 2);
        for (int i = 0; i < 2; i++) {
            cuda.conv2dBackwardData(gy, w, p, gx);
            cuda.conv2dBackwardFilter(x, gy, p, gw);
        }
        assertEquals(List.of(List.of("convolution", 1, 1, 2, 2, 1, 1, 2, CudnnNative.CUDNN_FMA_MATH)), rec.named("convolution"));
        assertEquals(List.of(CudnnApi.Pass.BACKWARD_DATA, CudnnApi.Pass.BACKWARD_FILTER),
                rec.named("algorithm").stream().map(c -> c.get(1)).toList());
        List<List<Object>> runs = rec.named("convolve");
        List<Object> data = runs.get(0), filter = runs.get(1);
        assertEquals(List.of(ptr(gx), ptr(w), ptr(gy)), List.of(data.get(3), data.get(5), data.get(10)));
        assertEquals(List.of(ptr(x), ptr(gw), ptr(gy)), List.of(filter.get(3), filter.get(5), filter.get(10)));
    }

    @Test void workspaceGrowsFromTheCachingAllocatorOnlyWhenAnAlgorithmNeedsMore() {
        Tensor x = on(DType.F32, 1, 3, 8, 8), w = on(DType.F32, 4, 3, 3, 3), y = on(DType.F32, 1, 4, 6, 6), y2 = on(DType.F32, 1, 4, 8, 8);
        long before = cuda.allocator().inUse();
        cuda.conv2dForward(x, w, ConvParams.of(1, 0, 1, 1), y);
        assertEquals(before + 4096, cuda.allocator().inUse());
        rec.workspaceBytes = 100_000;
        cuda.conv2dForward(x, w, ConvParams.of(1, 1, 1, 1), y2);
        assertEquals(before + CachingAllocator.round(100_000), cuda.allocator().inUse(), "the smaller block went back");
        rec.workspaceBytes = 10;
        cuda.conv2dForward(x, w, ConvParams.of(1, 1, 1, 1), y2);
        assertEquals(2, rec.named("algorithm").size());
        assertEquals(before + CachingAllocator.round(100_000), cuda.allocator().inUse());
    }

    @Test void poolingModesFollowPyTorch() {
        Tensor x = on(DType.F32, 2, 3, 9, 9), y = on(DType.F32, 2, 3, 5, 5), gx = on(DType.F32, 2, 3, 9, 9);
        cuda.avgPoolForward(x, new PoolParams(3, 2, 1, false), y);
        cuda.avgPoolForward(x, new PoolParams(3, 2, 1, true), y);
        cuda.maxPoolForward(x, new PoolParams(3, 2, 1, false), y);
        cuda.avgPoolBackward(y, new PoolParams(3, 2, 1, false), gx);
        assertEquals(List.of(List.of("pooling", Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, 3, 1, 2),
                List.of("pooling", Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, 3, 1, 2),
                List.of("pooling", Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC, 3, 1, 2)), rec.named("pooling"));
        assertEquals(2, Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING);
        assertEquals(3, Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC);
        List<Object> back = rec.named("poolBackward").getFirst();
        assertEquals(List.of(ptr(y), ptr(gx)), List.of(back.get(3), back.get(6)));
    }

    @Test void maxPoolBackwardRecomputesYThenRoutesGy() {
        Tensor x = on(DType.F32, 1, 2, 6, 6), gy = on(DType.F32, 1, 2, 3, 3), gx = on(DType.F32, 1, 2, 6, 6);
        cuda.maxPoolBackward(x, gy, new PoolParams(2, 2, 0, false), gx);
        List<Object> fwd = rec.named("poolForward").getFirst(), back = rec.named("poolBackward").getFirst();
        assertEquals(ptr(x), fwd.get(3));
        assertEquals(fwd.get(5), back.get(3), "backward gets the recomputed y");
        assertEquals(List.of(ptr(gy), ptr(x), ptr(gx)), List.of(back.get(4), back.get(6), back.get(7)));
    }

    @Test void batchNormWithoutAffinePassesOnesAndZerosAndMomentumAsTheAverageFactor() {
        Tensor x = on(DType.F32, 2, 5, 3, 3), y = on(DType.F32, 2, 5, 3, 3);
        Tensor rm = on(DType.F32, 5), rv = on(DType.F32, 5), sm = on(DType.F32, 5), si = on(DType.F32, 5);
        cuda.batchNormTrain(x, null, null, rm, rv, 0.1, 1e-5, y, sm, si);
        List<Object> c = rec.named("bnTrain").getFirst();
        assertEquals(List.of(ptr(x), ptr(y)), List.of(c.get(2), c.get(3)));
        assertEquals(0.1, c.get(7));
        assertEquals(List.of(ptr(rm), ptr(rv), 1e-5, ptr(sm), ptr(si)), c.subList(8, 13));
        assertEquals(List.of(1f, 0f), c.subList(13, 15), "scale ones, bias zeros");
        assertTrue(rec.named("tensor4d").contains(List.of("tensor4d", 1, 5, 1, 1)), "per-channel descriptor");
        cuda.batchNormTrain(x, null, null, null, null, 0.1, 1e-5, y, sm, si);
        assertEquals(List.of(0L, 0L), rec.named("bnTrain").getLast().subList(8, 10), "no running statistics: NULL");
        assertThrows(IllegalArgumentException.class, () -> cuda.batchNormTrain(x, null, null, rm, null, 0.1, 1e-5, y, sm, si));
    }

    @Test void batchNormBackwardAndEvalPassTheirBuffers() {
        Tensor x = on(DType.F32, 2, 4, 3, 3), gy = on(DType.F32, 2, 4, 3, 3), gx = on(DType.F32, 2, 4, 3, 3);
        Tensor g = on(DType.F32, 4), bt = on(DType.F32, 4), sm = on(DType.F32, 4), si = on(DType.F32, 4), gg = on(DType.F32, 4);
        cuda.batchNormTrainBackward(x, gy, g, sm, si, gx, gg, null);
        List<Object> c = rec.named("bnBackward").getFirst();
        assertEquals(List.of(ptr(x), ptr(gy), ptr(gx)), c.subList(2, 5));
        assertEquals(List.of(ptr(g), ptr(gg)), c.subList(6, 8));
        assertTrue((Long) c.get(8) != 0 && (Long) c.get(8) != ptr(gg), "a scratch gbeta");
        assertEquals(List.of(ptr(sm), ptr(si)), c.subList(10, 12));
        cuda.batchNormEval(x, g, bt, sm, si, 1e-3, gx);
        assertEquals(List.of(ptr(g), ptr(bt), ptr(sm), ptr(si), 1e-3), rec.named("bnEval").getFirst().subList(5, 10));
    }

    @Test void float64AndAMissingCudnnSayWhy() {
        Tensor x = on(DType.F64, 1, 1, 4, 4), y = on(DType.F64, 1, 1, 2, 2);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> cuda.maxPoolForward(x, new PoolParams(2, 2, 0, false), y));
        assertTrue(e.getMessage().contains("float32 only"), e.getMessage());
        cuda.useCudnn(null);
        e = assertThrows(UnsupportedOperationException.class, () -> cuda.maxPoolForward(x, new PoolParams(2, 2, 0, false), y));
        assertTrue(e.getMessage().startsWith("maxPoolForward needs cuDNN, which is not available: "), e.getMessage());
    }
}
