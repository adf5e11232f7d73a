package adl.backend.cuda;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static adl.backend.cuda.CudaStorage.ptr;

/**
 * Convolution, batch norm and pooling of {@link CudaBackend} through cuDNN's legacy API (docs/05c-kernels.md §3):
 * float32 NCHW, contiguous. Descriptors are made once per shape / geometry and kept; the
 * convolution algorithm is chosen once per (pass, shapes, geometry) by cudnnGet*Algorithm_v7 and
 * cached; one workspace block, grown as needed, comes from the backend's {@link CachingAllocator}.
 * Math type CUDNN_FMA_MATH, so float32 convolutions never run as TF32 (PyTorch's allow_tf32=False).
 */
final class CudnnOps {
    private final CudaBackend b;
    private final CudnnApi api;
    private final Map<List<Integer>, Long> tensors = new HashMap<>(), filters = new HashMap<>(), pools = new HashMap<>();
    private final Map<ConvParams, Long> convs = new HashMap<>();
    private final Map<List<Object>, CudnnApi.Algo> algos = new HashMap<>();
    private long workspace, workspaceBytes;

    CudnnOps(CudaBackend backend, CudnnApi api) {
        this.b = backend;
        this.api = api;
    }

    private static void f32(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != DType.F32) {
                throw new UnsupportedOperationException(op + " on CUDA is float32 only, got " + t.describe() + " (F64 stays on the CPU)");
            }
        }
    }

    private long tensor(Tensor t) {
        int[] d = t.shape().dims();
        if (d.length != 4) throw new IllegalArgumentException("cuDNN wants NCHW, got " + t.describe());
        if (!t.isContiguous()) throw new IllegalArgumentException("cuDNN wants contiguous NCHW (the descriptors carry no strides), got " + t.describe());
        return tensors.computeIfAbsent(List.of(d[0], d[1], d[2], d[3]), k -> api.tensor4d(k.get(0), k.get(1), k.get(2), k.get(3)));
    }

    /** The [1, C, 1, 1] descriptor of per-channel batch-norm parameters. */
    private long channels(int c) { return tensors.computeIfAbsent(List.of(1, c, 1, 1), k -> api.tensor4d(1, c, 1, 1)); }

    private long filter(Tensor w) {
        int[] d = w.shape().dims();
        return filters.computeIfAbsent(List.of(d[0], d[1], d[2], d[3]), k -> api.filter4d(k.get(0), k.get(1), k.get(2), k.get(3)));
    }

    private long conv(ConvParams p) {
        return convs.computeIfAbsent(p, q -> api.convolution(q.padH(), q.padW(), q.strideH(), q.strideW(), q.dilationH(), q.dilationW(),
                q.groups(), CudnnNative.CUDNN_FMA_MATH));
    }

    private long workspace(long bytes) {
        if (bytes > workspaceBytes) {
            CachingAllocator a = b.allocator();
            synchronized (a) {
                if (workspaceBytes > 0) a.free(workspace); // stream order: earlier users finish before the block is reused
                workspace = a.allocate(bytes);
            }
            workspaceBytes = bytes;
        }
        return workspace;
    }

    /** At the backend's close: the workspace block goes back to the allocator, before it releases its cache to the driver. */
    void releaseWorkspace() {
        if (workspaceBytes == 0) return;
        CachingAllocator a = b.allocator();
        synchronized (a) { a.free(workspace); }
        workspace = 0;
        workspaceBytes = 0;
    }

    /** At the start of a capture: the workspace a graph's convolutions use stays reserved for it (see {@link CachingAllocator#adoptInUse}). */
    void adoptWorkspace(CachingAllocator a) {
        if (workspaceBytes > 0) a.adoptInUse(workspace);
    }

    // x [N, Cin, H, W], w [Cout, Cin/g, kh, kw], y [N, Cout, Ho, Wo]
    private void convolve(CudnnApi.Pass pass, Tensor x, Tensor w, ConvParams p, Tensor y) {
        f32("conv2d " + pass, x, w, y);
        long xd = tensor(x), wd = filter(w), cd = conv(p), yd = tensor(y);
        List<Object> key = List.of(pass, x.shape(), w.shape(), y.shape(), p);
        CudnnApi.Algo algo = algos.computeIfAbsent(key, k -> api.algorithm(pass, xd, wd, cd, yd));
        long ws = workspace(algo.workspaceBytes());
        api.convolve(pass, xd, ptr(x), wd, ptr(w), cd, algo, ws, yd, ptr(y));
    }

    void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y) { convolve(CudnnApi.Pass.FORWARD, x, w, p, y); }

    void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) { convolve(CudnnApi.Pass.BACKWARD_DATA, gx, w, p, gy); }

    void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) { convolve(CudnnApi.Pass.BACKWARD_FILTER, x, gw, p, gy); }

    /** gamma, or a [C] buffer of {@code fill} when null (affine off); the caller closes what it got back if it differs. */
    private Tensor orFilled(Tensor t, int c, double fill) {
        if (t != null) return t;
        Tensor s = b.scratch(DType.F32, Shape.of(c));
        b.fill(s, fill);
        return s;
    }

    private static void closeIfOwn(Tensor own, Tensor given) {
        if (own != given) own.close();
    }

    // x [N, C, H, W]; gamma, beta, running*, saveMean, saveInvStd [C]. cuDNN's exponentialAverageFactor is
    // PyTorch's momentum (r = (1 - f) r + f batch); the running variance gets the unbiased batch variance.
    void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double momentum, double eps,
                        Tensor y, Tensor saveMean, Tensor saveInvStd) {
        f32("batchNormTrain", x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("batchNormTrain: runningMean and runningVar must both be given or both be null");
        }
        int c = x.shape().dims()[1];
        Tensor scale = orFilled(gamma, c, 1), bias = orFilled(beta, c, 0);
        try {
            api.batchNormTrain(tensor(x), ptr(x), ptr(y), channels(c), ptr(scale), ptr(bias), momentum,
                    runningMean == null ? 0 : ptr(runningMean), runningVar == null ? 0 : ptr(runningVar), eps, ptr(saveMean), ptr(saveInvStd));
        } finally {
            closeIfOwn(scale, gamma);
            closeIfOwn(bias, beta);
        }
    }

    void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        f32("batchNormEval", x, gamma, beta, runningMean, runningVar, y);
        int c = x.shape().dims()[1];
        Tensor scale = orFilled(gamma, c, 1), bias = orFilled(beta, c, 0);
        try {
            api.batchNormInference(tensor(x), ptr(x), ptr(y), channels(c), ptr(scale), ptr(bias), ptr(runningMean), ptr(runningVar), eps);
        } finally {
            closeIfOwn(scale, gamma);
            closeIfOwn(bias, beta);
        }
    }

    /**
     * The epsilon cuDNN's backward wants: it works from the saved mean and 1/sqrt(var + eps) (which
     * already hold the forward's eps) and checks only that this is at least CUDNN_BN_MIN_EPSILON.
     */
    static final double BACKWARD_EPSILON = 1e-5;

    // ggamma / gbeta null: cuDNN still writes them, into scratch that is dropped.
    void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor gx, Tensor ggamma,
                                Tensor gbeta) {
        double eps = BACKWARD_EPSILON;
        f32("batchNormTrainBackward", x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta);
        int c = x.shape().dims()[1];
        Tensor scale = orFilled(gamma, c, 1);
        Tensor dScale = ggamma != null ? ggamma : b.scratch(DType.F32, Shape.of(c));
        Tensor dBias = gbeta != null ? gbeta : b.scratch(DType.F32, Shape.of(c));
        try {
            api.batchNormBackward(tensor(x), ptr(x), ptr(gy), ptr(gx), channels(c), ptr(scale), ptr(dScale), ptr(dBias), eps,
                    ptr(saveMean), ptr(saveInvStd));
        } finally {
            closeIfOwn(scale, gamma);
            closeIfOwn(dScale, ggamma);
            closeIfOwn(dBias, gbeta);
        }
    }

    private long pool(int mode, PoolParams p) {
        return pools.computeIfAbsent(List.of(mode, p.kernel(), p.pad(), p.stride()), k -> api.pooling(mode, p.kernel(), p.pad(), p.stride()));
    }

    private static int avgMode(PoolParams p) {
        return p.countIncludePad() ? Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING : Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    }

    // x [N, C, H, W], y [N, C, Ho, Wo]
    void maxPoolForward(Tensor x, PoolParams p, Tensor y) {
        f32("maxPoolForward", x, y);
        api.poolForward(pool(Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC, p), tensor(x), ptr(x), tensor(y), ptr(y));
    }

    // y is recomputed from x (the Backend contract passes x, not y).
    void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) {
        f32("maxPoolBackward", x, gy, gx);
        long pd = pool(Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC, p);
        try (Tensor y = b.scratch(DType.F32, gy.shape())) {
            api.poolForward(pd, tensor(x), ptr(x), tensor(y), ptr(y));
            api.poolBackward(pd, tensor(gy), ptr(y), ptr(gy), tensor(x), ptr(x), ptr(gx));
        }
    }

    void avgPoolForward(Tensor x, PoolParams p, Tensor y) {
        f32("avgPoolForward", x, y);
        api.poolForward(pool(avgMode(p), p), tensor(x), ptr(x), tensor(y), ptr(y));
    }

    // Average pooling's backward reads neither y nor x: gy and gx stand in for them.
    void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx) {
        f32("avgPoolBackward", gy, gx);
        api.poolBackward(pool(avgMode(p), p), tensor(gy), ptr(gy), ptr(gy), tensor(gx), ptr(gx), ptr(gx));
    }

    /** How many algorithm queries were made (tests: one per distinct pass and shape). */
    int algorithmQueries() { return algos.size(); }
}
