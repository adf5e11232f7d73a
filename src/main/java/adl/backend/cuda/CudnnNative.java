package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@link CudnnApi} through the real library: one handle on the backend's stream. */
final class CudnnNative implements CudnnApi, AutoCloseable {
    /** cudnnMathType_t CUDNN_FMA_MATH: FMA kernels only, so float32 is never run as TF32 (DEFAULT_MATH may be). */
    static final int CUDNN_FMA_MATH = 3;
    private static final int REQUESTED_ALGOS = 8;

    private final Cudnn dnn;
    private final CudaContext ctx;
    private final MemorySegment handle;
    private final MemorySegment one, zero;

    CudnnNative(Cudnn dnn, CudaContext ctx, MemorySegment stream) {
        this.dnn = dnn;
        this.ctx = ctx;
        ctx.makeCurrent();
        this.handle = dnn.createHandle();
        dnn.setStream(handle, stream);
        this.one = Arena.global().allocate(ValueLayout.JAVA_FLOAT);
        one.set(ValueLayout.JAVA_FLOAT, 0, 1f);
        this.zero = Arena.global().allocate(ValueLayout.JAVA_FLOAT);
        zero.set(ValueLayout.JAVA_FLOAT, 0, 0f);
    }

    private static MemorySegment p(long address) { return MemorySegment.ofAddress(address); }

    /** The handle, with the device's context current on the calling thread (CUDA binds contexts per thread). */
    private MemorySegment h() {
        ctx.makeCurrent();
        return handle;
    }

    @Override public long tensor4d(int n, int c, int h, int w) { return dnn.tensor4d(Cudnn.CUDNN_DATA_FLOAT, n, c, h, w).address(); }

    @Override public long filter4d(int k, int c, int r, int s) { return dnn.filter4d(Cudnn.CUDNN_DATA_FLOAT, k, c, r, s).address(); }

    @Override
    public long convolution(int padH, int padW, int strideH, int strideW, int dilH, int dilW, int groups, int mathType) {
        MemorySegment d = dnn.convolution2d(padH, padW, strideH, strideW, dilH, dilW, groups, Cudnn.CUDNN_DATA_FLOAT);
        dnn.call("cudnnSetConvolutionMathType", "mathType=" + mathType, d, mathType);
        return d.address();
    }

    @Override
    public long pooling(int mode, int window, int pad, int stride) {
        return dnn.pooling2d(mode, window, window, pad, pad, stride, stride).address();
    }

    @Override
    public Algo algorithm(Pass pass, long xDesc, long wDesc, long convDesc, long yDesc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment perf = a.allocate(Cudnn.ALGO_PERF_BYTES * REQUESTED_ALGOS, 8);
            switch (pass) {
                case FORWARD -> dnn.call("cudnnGetConvolutionForwardAlgorithm_v7", "", h(), p(xDesc), p(wDesc), p(convDesc), p(yDesc),
                        REQUESTED_ALGOS, count, perf);
                case BACKWARD_DATA -> dnn.call("cudnnGetConvolutionBackwardDataAlgorithm_v7", "", h(), p(wDesc), p(yDesc), p(convDesc),
                        p(xDesc), REQUESTED_ALGOS, count, perf);
                case BACKWARD_FILTER -> dnn.call("cudnnGetConvolutionBackwardFilterAlgorithm_v7", "", h(), p(xDesc), p(yDesc),
                        p(convDesc), p(wDesc), REQUESTED_ALGOS, count, perf);
            }
            int n = count.get(ValueLayout.JAVA_INT, 0);
            for (int i = 0; i < n; i++) {
                long at = i * Cudnn.ALGO_PERF_BYTES; // {int algo; int status; float time; size_t memory; ...}
                if (perf.get(ValueLayout.JAVA_INT, at + 4) == 0) {
                    return new Algo(perf.get(ValueLayout.JAVA_INT, at), perf.get(ValueLayout.JAVA_LONG, at + 16));
                }
            }
            throw new CudaException("cuDNN", "cudnnGetConvolution" + pass + "Algorithm_v7", 0, "no usable algorithm among " + n, "", "");
        }
    }

    @Override
    public void convolve(Pass pass, long xDesc, long x, long wDesc, long w, long convDesc, Algo algo, long workspace, long yDesc, long y) {
        long ws = algo.workspaceBytes();
        switch (pass) {
            case FORWARD -> dnn.call("cudnnConvolutionForward", "", h(), one, p(xDesc), p(x), p(wDesc), p(w), p(convDesc),
                    algo.algo(), p(workspace), ws, zero, p(yDesc), p(y));
            case BACKWARD_DATA -> dnn.call("cudnnConvolutionBackwardData", "", h(), one, p(wDesc), p(w), p(yDesc), p(y), p(convDesc),
                    algo.algo(), p(workspace), ws, zero, p(xDesc), p(x));
            case BACKWARD_FILTER -> dnn.call("cudnnConvolutionBackwardFilter", "", h(), one, p(xDesc), p(x), p(yDesc), p(y),
                    p(convDesc), algo.algo(), p(workspace), ws, zero, p(wDesc), p(w));
        }
    }

    @Override
    public void batchNormTrain(long xDesc, long x, long y, long bnDesc, long scale, long bias, double factor, long runMean, long runVar,
                               double eps, long saveMean, long saveInvStd) {
        dnn.call("cudnnBatchNormalizationForwardTraining", "", h(), Cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero, p(xDesc), p(x),
                p(xDesc), p(y), p(bnDesc), p(scale), p(bias), factor, p(runMean), p(runVar), eps, p(saveMean), p(saveInvStd));
    }

    @Override
    public void batchNormInference(long xDesc, long x, long y, long bnDesc, long scale, long bias, long mean, long var, double eps) {
        dnn.call("cudnnBatchNormalizationForwardInference", "", h(), Cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero, p(xDesc), p(x),
                p(xDesc), p(y), p(bnDesc), p(scale), p(bias), p(mean), p(var), eps);
    }

    @Override
    public void batchNormBackward(long xDesc, long x, long dy, long dx, long bnDesc, long scale, long dScale, long dBias, double eps,
                                  long saveMean, long saveInvStd) {
        dnn.call("cudnnBatchNormalizationBackward", "", h(), Cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero, one, zero, p(xDesc), p(x),
                p(xDesc), p(dy), p(xDesc), p(dx), p(bnDesc), p(scale), p(dScale), p(dBias), eps, p(saveMean), p(saveInvStd));
    }

    @Override
    public void poolForward(long poolDesc, long xDesc, long x, long yDesc, long y) {
        dnn.call("cudnnPoolingForward", "", h(), p(poolDesc), one, p(xDesc), p(x), zero, p(yDesc), p(y));
    }

    @Override
    public void poolBackward(long poolDesc, long yDesc, long y, long dy, long xDesc, long x, long dx) {
        dnn.call("cudnnPoolingBackward", "", h(), p(poolDesc), one, p(yDesc), p(y), p(yDesc), p(dy), p(xDesc), p(x), zero,
                p(xDesc), p(dx));
    }

    @Override public void close() { dnn.destroy("cudnnDestroy", handle); }
}
