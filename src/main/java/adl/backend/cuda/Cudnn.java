package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static adl.backend.cuda.Binding.D;
import static adl.backend.cuda.Binding.I;
import static adl.backend.cuda.Binding.L;
import static adl.backend.cuda.Binding.P;
import static adl.backend.cuda.Binding.returning;
import static adl.backend.cuda.Binding.status;

/**
 * cuDNN 9 ({@code libcudnn.so.9}), its legacy convolution / batch-norm / pooling API (deprecated in 9.x
 * but present). Prototypes from cuDNN 9's {@code cudnn_graph.h}, {@code cudnn_ops.h},
 * {@code cudnn_cnn.h}; the test {@code CudnnBindingsTest} holds the C text they were taken from.
 * Status codes are cuDNN 9's (BAD_PARAM = 2000, ...), named by {@code cudnnGetErrorString}.
 */
public final class Cudnn {
    /** Every bound function with its C signature, in one place. */
    public static final List<Binding> BINDINGS = Binding.table(
            returning("cudnnGetVersion", L),
            returning("cudnnGetCudartVersion", L),
            returning("cudnnGetErrorString", P, I),
            status("cudnnCreate", P),
            status("cudnnDestroy", P),
            status("cudnnSetStream", P, P),
            // tensors and filters
            status("cudnnCreateTensorDescriptor", P),
            status("cudnnSetTensor4dDescriptor", P, I, I, I, I, I, I),        // (desc, format, dataType, n, c, h, w)
            status("cudnnSetTensor4dDescriptorEx", P, I, I, I, I, I, I, I, I, I), // (desc, dataType, n, c, h, w, nS, cS, hS, wS)
            status("cudnnDestroyTensorDescriptor", P),
            status("cudnnCreateFilterDescriptor", P),
            status("cudnnSetFilter4dDescriptor", P, I, I, I, I, I, I),        // (desc, dataType, format, k, c, h, w)
            status("cudnnDestroyFilterDescriptor", P),
            // convolution
            status("cudnnCreateConvolutionDescriptor", P),
            status("cudnnSetConvolution2dDescriptor", P, I, I, I, I, I, I, I, I), // (desc, padH, padW, u, v, dilH, dilW, mode, computeType)
            status("cudnnSetConvolutionGroupCount", P, I),
            status("cudnnSetConvolutionMathType", P, I),
            status("cudnnDestroyConvolutionDescriptor", P),
            status("cudnnGetConvolutionForwardAlgorithm_v7", P, P, P, P, P, I, P, P),
            status("cudnnGetConvolutionBackwardDataAlgorithm_v7", P, P, P, P, P, I, P, P),
            status("cudnnGetConvolutionBackwardFilterAlgorithm_v7", P, P, P, P, P, I, P, P),
            status("cudnnFindConvolutionForwardAlgorithm", P, P, P, P, P, I, P, P),
            status("cudnnFindConvolutionBackwardDataAlgorithm", P, P, P, P, P, I, P, P),
            status("cudnnFindConvolutionBackwardFilterAlgorithm", P, P, P, P, P, I, P, P),
            status("cudnnGetConvolutionForwardWorkspaceSize", P, P, P, P, P, I, P),
            status("cudnnGetConvolutionBackwardDataWorkspaceSize", P, P, P, P, P, I, P),
            status("cudnnGetConvolutionBackwardFilterWorkspaceSize", P, P, P, P, P, I, P),
            // (handle, alpha, xDesc, x, wDesc, w, convDesc, algo, ws, wsBytes, beta, yDesc, y)
            status("cudnnConvolutionForward", P, P, P, P, P, P, P, I, P, L, P, P, P),
            // (handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo, ws, wsBytes, beta, dxDesc, dx)
            status("cudnnConvolutionBackwardData", P, P, P, P, P, P, P, I, P, L, P, P, P),
            // (handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo, ws, wsBytes, beta, dwDesc, dw)
            status("cudnnConvolutionBackwardFilter", P, P, P, P, P, P, P, I, P, L, P, P, P),
            // batch norm: (handle, mode, alpha, beta, xDesc, x, yDesc, y, bnDesc, scale, bias, expAvgFactor,
            //              runMean, runVar, eps, saveMean, saveInvVar)
            status("cudnnBatchNormalizationForwardTraining", P, I, P, P, P, P, P, P, P, P, P, D, P, P, D, P, P),
            // (handle, mode, alpha, beta, xDesc, x, yDesc, y, bnDesc, scale, bias, estMean, estVar, eps)
            status("cudnnBatchNormalizationForwardInference", P, I, P, P, P, P, P, P, P, P, P, P, P, D),
            // (handle, mode, aData, bData, aParam, bParam, xDesc, x, dyDesc, dy, dxDesc, dx, bnDesc, scale,
            //  dScale, dBias, eps, savedMean, savedInvVar)
            status("cudnnBatchNormalizationBackward", P, I, P, P, P, P, P, P, P, P, P, P, P, P, P, P, D, P, P),
            // pooling
            status("cudnnCreatePoolingDescriptor", P),
            status("cudnnSetPooling2dDescriptor", P, I, I, I, I, I, I, I, I), // (desc, mode, nanOpt, wH, wW, padV, padH, strideV, strideH)
            status("cudnnDestroyPoolingDescriptor", P),
            status("cudnnPoolingForward", P, P, P, P, P, P, P, P),           // (handle, pool, alpha, xDesc, x, beta, yDesc, y)
            status("cudnnPoolingBackward", P, P, P, P, P, P, P, P, P, P, P, P)); // (handle, pool, alpha, yD, y, dyD, dy, xD, x, beta, dxD, dx)

    public static final int CUDNN_DATA_FLOAT = 0;
    public static final int CUDNN_DATA_DOUBLE = 1;
    public static final int CUDNN_TENSOR_NCHW = 0;
    public static final int CUDNN_CROSS_CORRELATION = 1;
    public static final int CUDNN_BATCHNORM_SPATIAL = 1;
    public static final int CUDNN_POOLING_MAX = 0;
    public static final int CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING = 1;
    public static final int CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING = 2;
    public static final int CUDNN_POOLING_MAX_DETERMINISTIC = 3;
    public static final int CUDNN_NOT_PROPAGATE_NAN = 0;
    /** Size of cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t: algo, status, time, memory, determinism, mathType, reserved[3]. */
    public static final long ALGO_PERF_BYTES = 48;

    private final Downcalls d;

    public Cudnn(SymbolLookup lookup) {
        this.d = new Downcalls("cuDNN", lookup, BINDINGS);
    }

    /** cuDNN's version number, e.g. 91000 for 9.10.0. */
    public long version() {
        try { return (long) d.handle("cudnnGetVersion").invokeExact(); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** The CUDA runtime version cuDNN was built for, e.g. 13000 for 13.0 (its libcublasLt has that major). */
    public long cudartVersion() {
        try { return (long) d.handle("cudnnGetCudartVersion").invokeExact(); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** cuDNN's text for a status code. */
    public String errorString(int status) {
        try {
            MemorySegment s = (MemorySegment) d.handle("cudnnGetErrorString").invokeExact(status);
            return s.equals(MemorySegment.NULL) ? "cudnnStatus " + status : s.reinterpret(4096).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "cudnnStatus " + status;
        }
    }

    private void check(int r, String fn, String args) {
        if (r != 0) throw new CudaException("cuDNN", fn, r, errorString(r), "", args);
    }

    /**
     * Calls {@code fn} with {@code argv} (boxed: Integer, Long, Double, MemorySegment, in the binding's
     * order) and checks its status; {@code args} describes the shapes for the error message.
     */
    public void call(String fn, String args, Object... argv) {
        int r;
        try { r = (int) d.handle(fn).invokeWithArguments(argv); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
        check(r, fn, args);
    }

    /** Calls a {@code cudnnCreate*(T *out)} function and returns the created handle. */
    public MemorySegment create(String fn) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) d.handle(fn).invokeExact(out), fn, "");
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** Calls a {@code cudnnDestroy*(T h)} function. */
    public void destroy(String fn, MemorySegment h) {
        try { check((int) d.handle(fn).invokeExact(h), fn, ""); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** A NCHW float tensor descriptor of shape {@code [n, c, h, w]}. */
    public MemorySegment tensor4d(int dataType, int n, int c, int h, int w) {
        MemorySegment desc = create("cudnnCreateTensorDescriptor");
        try {
            check((int) d.handle("cudnnSetTensor4dDescriptor").invokeExact(desc, CUDNN_TENSOR_NCHW, dataType, n, c, h, w),
                    "cudnnSetTensor4dDescriptor", "[" + n + ", " + c + ", " + h + ", " + w + "] dtype=" + dataType);
        } catch (Throwable t) {
            destroy("cudnnDestroyTensorDescriptor", desc);
            throw Downcalls.rethrow(t);
        }
        return desc;
    }

    /** A KCRS filter descriptor of shape {@code [k, c, r, s]} (c = input channels per group). */
    public MemorySegment filter4d(int dataType, int k, int c, int r, int s) {
        MemorySegment desc = create("cudnnCreateFilterDescriptor");
        try {
            check((int) d.handle("cudnnSetFilter4dDescriptor").invokeExact(desc, dataType, CUDNN_TENSOR_NCHW, k, c, r, s),
                    "cudnnSetFilter4dDescriptor", "[" + k + ", " + c + ", " + r + ", " + s + "] dtype=" + dataType);
        } catch (Throwable t) {
            destroy("cudnnDestroyFilterDescriptor", desc);
            throw Downcalls.rethrow(t);
        }
        return desc;
    }

    /** A cross-correlation descriptor with padding, stride, dilation and groups. */
    public MemorySegment convolution2d(int padH, int padW, int strideH, int strideW, int dilH, int dilW, int groups, int computeType) {
        MemorySegment desc = create("cudnnCreateConvolutionDescriptor");
        String args = "pad=" + padH + "x" + padW + ", stride=" + strideH + "x" + strideW + ", dilation=" + dilH + "x" + dilW + ", groups=" + groups;
        try {
            check((int) d.handle("cudnnSetConvolution2dDescriptor").invokeExact(desc, padH, padW, strideH, strideW, dilH, dilW,
                    CUDNN_CROSS_CORRELATION, computeType), "cudnnSetConvolution2dDescriptor", args);
            check((int) d.handle("cudnnSetConvolutionGroupCount").invokeExact(desc, groups), "cudnnSetConvolutionGroupCount", args);
        } catch (Throwable t) {
            destroy("cudnnDestroyConvolutionDescriptor", desc);
            throw Downcalls.rethrow(t);
        }
        return desc;
    }

    /** A 2-D pooling descriptor. */
    public MemorySegment pooling2d(int mode, int windowH, int windowW, int padH, int padW, int strideH, int strideW) {
        MemorySegment desc = create("cudnnCreatePoolingDescriptor");
        try {
            check((int) d.handle("cudnnSetPooling2dDescriptor").invokeExact(desc, mode, CUDNN_NOT_PROPAGATE_NAN, windowH, windowW,
                    padH, padW, strideH, strideW), "cudnnSetPooling2dDescriptor",
                    "mode=" + mode + ", window=" + windowH + "x" + windowW + ", pad=" + padH + "x" + padW + ", stride=" + strideH + "x" + strideW);
        } catch (Throwable t) {
            destroy("cudnnDestroyPoolingDescriptor", desc);
            throw Downcalls.rethrow(t);
        }
        return desc;
    }

    public MemorySegment createHandle() { return create("cudnnCreate"); }

    public void setStream(MemorySegment handle, MemorySegment stream) {
        try { check((int) d.handle("cudnnSetStream").invokeExact(handle, stream), "cudnnSetStream", ""); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }
}
