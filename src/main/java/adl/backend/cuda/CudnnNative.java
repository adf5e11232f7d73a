package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link CudnnApi} through the real library: one handle on the backend's stream. Every descriptor it
 * makes is remembered with its shape, so a failed call names the call and the shapes involved.
 */
final class CudnnNative implements CudnnApi, AutoCloseable {
    /** cudnnMathType_t CUDNN_FMA_MATH: FMA kernels only, so float32 is never run as TF32 (DEFAULT_MATH may be). */
    static final int CUDNN_FMA_MATH = 3;
    private static final int REQUESTED_ALGOS = 16;

    private final Cudnn dnn;
    private final CudaContext ctx;
    private final MemorySegment handle;
    private final MemorySegment one, zero;
    /** Descriptor address → "[n, c, h, w]", "filter [k, c, r, s]", "pad=.., stride=.., ..." (for error messages). */
    private final Map<Long, String> shapes = new ConcurrentHashMap<>();

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

    private long named(long desc, String shape) {
        shapes.put(desc, shape);
        return desc;
    }

    /** "x [2, 3, 9, 11], w filter [5, 3, 3, 3], conv pad=1x1, ..." from (name, descriptor) pairs. */
    private String args(Object... nameDesc) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nameDesc.length; i += 2) {
            if (i > 0) sb.append(", ");
            Object d = nameDesc[i + 1];
            sb.append(nameDesc[i]).append(' ').append(d instanceof Long l ? shapes.getOrDefault(l, "descriptor 0x" + Long.toHexString(l)) : d);
        }
        return sb.toString();
    }

    @Override public long tensor4d(int n, int c, int h, int w) {
        return named(dnn.tensor4d(Cudnn.CUDNN_DATA_FLOAT, n, c, h, w).address(), List.of(n, c, h, w).toString());
    }

    @Override public long filter4d(int k, int c, int r, int s) {
        return named(dnn.filter4d(Cudnn.CUDNN_DATA_FLOAT, k, c, r, s).address(), "filter " + List.of(k, c, r, s));
    }

    @Override
    public long convolution(int padH, int padW, int strideH, int strideW, int dilH, int dilW, int groups, int mathType) {
        MemorySegment d = dnn.convolution2d(padH, padW, strideH, strideW, dilH, dilW, groups, Cudnn.CUDNN_DATA_FLOAT);
        String geometry = "(pad=" + padH + "x" + padW + ", stride=" + strideH + "x" + strideW + ", dilation=" + dilH + "x" + dilW
                + ", groups=" + groups + ")";
        dnn.call("cudnnSetConvolutionMathType", "conv " + geometry + ", mathType=" + mathType, d, mathType);
        return named(d.address(), geometry);
    }

    @Override
    public long pooling(int mode, int window, int pad, int stride) {
        return named(dnn.pooling2d(mode, window, window, pad, pad, stride, stride).address(),
                "(mode=" + mode + ", window=" + window + ", pad=" + pad + ", stride=" + stride + ")");
    }

    @Override
    public Algo algorithm(Pass pass, long xDesc, long wDesc, long convDesc, long yDesc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment perf = a.allocate(Cudnn.ALGO_PERF_BYTES * REQUESTED_ALGOS, 8);
            String fn = switch (pass) {
                case FORWARD -> "cudnnGetConvolutionForwardAlgorithm_v7";
                case BACKWARD_DATA -> "cudnnGetConvolutionBackwardDataAlgorithm_v7";
                case BACKWARD_FILTER -> "cudnnGetConvolutionBackwardFilterAlgorithm_v7";
            };
            String what = args("x", xDesc, "w", wDesc, "y", yDesc, "conv", convDesc);
            switch (pass) {
                case FORWARD -> dnn.call(fn, what, h(), p(xDesc), p(wDesc), p(convDesc), p(yDesc), REQUESTED_ALGOS, count, perf);
                case BACKWARD_DATA -> dnn.call(fn, what, h(), p(wDesc), p(yDesc), p(convDesc), p(xDesc), REQUESTED_ALGOS, count, perf);
                case BACKWARD_FILTER -> dnn.call(fn, what, h(), p(xDesc), p(yDesc), p(convDesc), p(wDesc), REQUESTED_ALGOS, count, perf);
            }
            List<ConvAlgorithms.Perf> ranked = ConvAlgorithms.parse(perf, Math.min(count.get(ValueLayout.JAVA_INT, 0), REQUESTED_ALGOS));
            ConvAlgorithms.Perf chosen = ConvAlgorithms.choose(ranked);
            if (chosen == null) {
                throw new CudaException("cuDNN", fn, 0, "no usable algorithm", "none of " + ConvAlgorithms.describe(ranked)
                        + " has status 0, CUDNN_DETERMINISTIC and CUDNN_FMA_MATH", what);
            }
            return new Algo(chosen.algo(), workspaceSize(pass, xDesc, wDesc, convDesc, yDesc, chosen.algo(), what));
        }
    }

    /** cudnnGetConvolution*WorkspaceSize for the chosen algorithm (the documented way to size its workspace). */
    private long workspaceSize(Pass pass, long xDesc, long wDesc, long convDesc, long yDesc, int algo, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment bytes = a.allocate(ValueLayout.JAVA_LONG);
            String args = what + ", algo " + algo;
            switch (pass) {
                case FORWARD -> dnn.call("cudnnGetConvolutionForwardWorkspaceSize", args, h(), p(xDesc), p(wDesc), p(convDesc),
                        p(yDesc), algo, bytes);
                case BACKWARD_DATA -> dnn.call("cudnnGetConvolutionBackwardDataWorkspaceSize", args, h(), p(wDesc), p(yDesc),
                        p(convDesc), p(xDesc), algo, bytes);
                case BACKWARD_FILTER -> dnn.call("cudnnGetConvolutionBackwardFilterWorkspaceSize", args, h(), p(xDesc), p(yDesc),
                        p(convDesc), p(wDesc), algo, bytes);
            }
            return bytes.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Override
    public void convolve(Pass pass, long xDesc, long x, long wDesc, long w, long convDesc, Algo algo, long workspace, long yDesc, long y) {
        long ws = algo.workspaceBytes();
        String what = args("x", xDesc, "w", wDesc, "y", yDesc, "conv", convDesc) + ", algo " + algo.algo() + ", workspace " + ws + " bytes";
        switch (pass) {
            case FORWARD -> dnn.call("cudnnConvolutionForward", what, h(), one, p(xDesc), p(x), p(wDesc), p(w), p(convDesc),
                    algo.algo(), p(workspace), ws, zero, p(yDesc), p(y));
            case BACKWARD_DATA -> dnn.call("cudnnConvolutionBackwardData", what, h(), one, p(wDesc), p(w), p(yDesc), p(y), p(convDesc),
                    algo.algo(), p(workspace), ws, zero, p(xDesc), p(x));
            case BACKWARD_FILTER -> dnn.call("cudnnConvolutionBackwardFilter", what, h(), one, p(xDesc), p(x), p(yDesc), p(y),
                    p(convDesc), algo.algo(), p(workspace), ws, zero, p(wDesc), p(w));
        }
    }

    @Override
    public void batchNormTrain(long xDesc, long x, long y, long bnDesc, long scale, long bias, double factor, long runMean, long runVar,
                               double eps, long saveMean, long saveInvStd) {
        dnn.call("cudnnBatchNormalizationForwardTraining", args("x", xDesc, "scale", bnDesc) + ", factor=" + factor + ", eps=" + eps, h(),
                Cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero, p(xDesc), p(x), p(xDesc), p(y), p(bnDesc), p(scale), p(bias), factor,
                p(runMean), p(runVar), eps, p(saveMean), p(saveInvStd));
    }

    @Override
    public void batchNormInference(long xDesc, long x, long y, long bnDesc, long scale, long bias, long mean, long var, double eps) {
        dnn.call("cudnnBatchNormalizationForwardInference", args("x", xDesc, "scale", bnDesc) + ", eps=" + eps, h(),
                Cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero, p(xDesc), p(x), p(xDesc), p(y), p(bnDesc), p(scale), p(bias), p(mean), p(var), eps);
    }

    @Override
    public void batchNormBackward(long xDesc, long x, long dy, long dx, long bnDesc, long scale, long dScale, long dBias, double eps,
                                  long saveMean, long saveInvStd) {
        dnn.call("cudnnBatchNormalizationBackward", args("x", xDesc, "scale", bnDesc) + ", eps=" + eps, h(), Cudnn.CUDNN_BATCHNORM_SPATIAL,
                one, zero, one, zero, p(xDesc), p(x), p(xDesc), p(dy), p(xDesc), p(dx), p(bnDesc), p(scale), p(dScale), p(dBias), eps,
                p(saveMean), p(saveInvStd));
    }

    @Override
    public void poolForward(long poolDesc, long xDesc, long x, long yDesc, long y) {
        dnn.call("cudnnPoolingForward", args("x", xDesc, "y", yDesc, "pool", poolDesc), h(), p(poolDesc), one, p(xDesc), p(x), zero,
                p(yDesc), p(y));
    }

    @Override
    public void poolBackward(long poolDesc, long yDesc, long y, long dy, long xDesc, long x, long dx) {
        dnn.call("cudnnPoolingBackward", args("y", yDesc, "x", xDesc, "pool", poolDesc), h(), p(poolDesc), one, p(yDesc), p(y),
                p(yDesc), p(dy), p(xDesc), p(x), zero, p(xDesc), p(dx));
    }

    @Override public void close() { dnn.destroy("cudnnDestroy", handle); }
}
