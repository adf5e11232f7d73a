package adl.backend;

import adl.tensor.DType;
import adl.tensor.Storage;
import adl.tensor.Tensor;

/**
 * The primitive set every device implements (docs/01-tensors-and-autograd.md §7). Everything else in the engine is
 * composed from these. Conventions:
 * <ul>
 *   <li>Outputs are passed in, already allocated with the documented shape and the inputs' dtype,
 *       and are contiguous; the primitive overwrites them (never accumulates) unless stated.</li>
 *   <li>Inputs must be contiguous unless stated (callers make them so via {@link #copy}).</li>
 *   <li>All tensors of one call have the same dtype (F32 or F64), except labels (I32).</li>
 *   <li>Results are bitwise identical for any thread count and across runs.</li>
 * </ul>
 */
public interface Backend {
    Device device();

    /** Fresh memory for {@code numel} elements with one reference held by the caller. Contents undefined. */
    Storage allocate(DType dtype, long numel);

    // ---- data movement ----

    /** dst = src elementwise; same shape; both may be strided views (dst must not overlap src). */
    void copy(Tensor src, Tensor dst);

    /** Every element of dst (contiguous) = value. */
    void fill(Tensor dst, double value);

    /** dst (contiguous) = mean + std * N(0,1), from a generator seeded by {@code seed} (same seed, same values). */
    void randn(Tensor dst, long seed, double mean, double std);

    /** dst (contiguous) = U[lo, hi), seeded. */
    void uniform(Tensor dst, long seed, double lo, double hi);

    /** Copies host values (length = dst.numel()) into dst (contiguous, F32/F64). */
    void write(Tensor dst, double[] values);

    /** Copies host labels into an I32 tensor. */
    void writeInts(Tensor dst, int[] values);

    /** The elements of src (any layout) in row-major order, as doubles. */
    double[] read(Tensor src);

    /**
     * As {@link #read(Tensor)}, into dst[0 .. numel) (dst at least that long): a reader of many
     * slices (a checkpoint) reuses one buffer instead of making garbage per slice.
     */
    default void read(Tensor src, double[] dst) {
        double[] v = read(src);
        System.arraycopy(v, 0, dst, 0, v.length);
    }

    // ---- elementwise ----

    /** y = op(x, scalar); same shape. y may be x (in place). */
    void unary(UnaryOp op, Tensor x, double scalar, Tensor y);

    /** z = op(a, b), a and b broadcast (NumPy rules) to z's shape. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor z);

    /**
     * Sums x over the dimensions where {@code y} has size 1 and x does not (y has x's rank,
     * or fewer leading dims as in broadcasting): the reverse of broadcasting. Fixed summation order.
     */
    void sumTo(Tensor x, Tensor y);

    // ---- linear algebra ----

    /**
     * c = op(a) · op(b) where op transposes when asked. 2-D: a [M, K], b [K, N] (before op),
     * c [M, N]. 3-D: a leading batch dimension on all three.
     */
    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c);

    // ---- convolution ----

    /** y = conv2d(x, w): x [N, Cin, H, W], w [Cout, Cin/g, kh, kw], y [N, Cout, Ho, Wo]. No bias. */
    void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y);

    /** gx = dL/dx given gy = dL/dy: gy [N, Cout, Ho, Wo], w as above, gx [N, Cin, H, W]. */
    void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx);

    /** gw = dL/dw: x [N, Cin, H, W], gy [N, Cout, Ho, Wo], gw [Cout, Cin/g, kh, kw]. */
    void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw);

    // ---- batch norm (per channel of NCHW) ----

    /**
     * Training mode: normalises x [N, C, H, W] with the batch statistics, y = gamma * xhat + beta
     * (gamma/beta null = no affine). Writes saveMean [C] and saveInvStd [C] = 1/sqrt(var_biased + eps),
     * and updates runningMean/runningVar [C] in place (unbiased variance, PyTorch momentum rule
     * r = (1 - momentum) * r + momentum * batch) when they are non-null.
     */
    void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                        double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd);

    /** Eval mode: y = gamma * (x - runningMean) / sqrt(runningVar + eps) + beta. */
    void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                       double eps, Tensor y);

    /**
     * Backward of {@link #batchNormTrain}: gx [N, C, H, W]; ggamma, gbeta [C] (null = not wanted;
     * null gamma means gamma = 1).
     */
    void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                Tensor gx, Tensor ggamma, Tensor gbeta);

    // ---- pooling ----

    /** y [N, C, Ho, Wo] = max over each window of x [N, C, H, W] (padding never wins). */
    void maxPoolForward(Tensor x, PoolParams p, Tensor y);

    /** gx = routes gy to the first maximum of each window (recomputed from x). */
    void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx);

    /** y = mean over each window (divisor per p.countIncludePad()). */
    void avgPoolForward(Tensor x, PoolParams p, Tensor y);

    /** gx [N, C, H, W] from gy [N, C, Ho, Wo]. */
    void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx);

    // ---- resampling ----

    /** y [N, C, Ho, Wo] = bilinear resize of x [N, C, H, W] to y's size (PyTorch interpolate semantics). */
    void resizeBilinear(Tensor x, boolean alignCorners, Tensor y);

    /** gx [N, C, H, W] from gy [N, C, Ho, Wo]. */
    void resizeBilinearBackward(Tensor gy, boolean alignCorners, Tensor gx);

    // ---- softmax and loss ----

    /** y = softmax(x) (or log-softmax) along {@code axis}. */
    void softmax(Tensor x, int axis, boolean log, Tensor y);

    /** gx from y (the forward output) and gy. */
    void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx);

    /**
     * Pixel cross-entropy: logits [N, C, H, W], labels I32 [N, H, W] with values in [0, C) or
     * {@code ignoreIndex}. Returns the mean over non-ignored pixels (0 when all are ignored) and
     * writes it to loss (a 1-element tensor).
     */
    void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss);

    /** gx = scale * (softmax(logits) - onehot(labels)) / count, 0 at ignored pixels; scale is a 1-element tensor (dL/dloss). */
    void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx);

    // ---- weighted sum (docs/05c-kernels.md §2) ----

    /** out = Σ_k w[k] · xs[k]; xs all of out's shape; w [K]. */
    void weightedSum(Tensor[] xs, Tensor w, Tensor out);

    /**
     * gxs[k] = w[k] · gy (entries may be null = not wanted); gw[k] = Σ_i gy_i · xs[k]_i
     * (gw may be null), reduced in a fixed order.
     */
    void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw);

    // ---- optimizer steps (in place) ----

    /**
     * PyTorch SGD: g = grad + wd * p; buf = momentum * buf + g (buf = g at the first step,
     * signalled by {@code firstStep}); p -= lr * (nesterov ? g + momentum * buf : buf).
     */
    void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum,
                 double weightDecay, boolean nesterov, boolean firstStep);

    /**
     * PyTorch Adam (L2 weight decay added to the gradient): g = grad + wd * p;
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
     */
    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                  double beta2, double eps, double weightDecay);

    // ---- captured graphs (docs/05d-cuda-graphs.md) ----

    /** Whether {@link #captureGraph} can record a step here (CUDA devices; not the CPU). */
    default boolean capturesGraphs() { return false; }

    /**
     * Records {@code body} (run once, its device work recorded, not run) as a graph to replay.
     *
     * @throws GraphCaptureException naming what {@code body} did that a graph cannot hold
     * @throws UnsupportedOperationException where {@link #capturesGraphs()} is false
     */
    default CapturedGraph captureGraph(String name, Runnable body) {
        throw new UnsupportedOperationException("graph capture needs a CUDA device, not " + device());
    }

    /**
     * The scalars the next replay of a {@link CapturedGraph} of this backend reads.
     *
     * @throws UnsupportedOperationException where {@link #capturesGraphs()} is false
     */
    default CapturedGraph.Scalars replayScalars() {
        throw new UnsupportedOperationException("graph replay needs a CUDA device, not " + device());
    }

    // ---- independent tasks (a MixedOp's branches: docs/performance.md) ----

    /**
     * Whether {@link #forEachTask} spreads tasks whose inputs have this many elements over several
     * threads: on the CPU with more than one thread, for inputs small enough that their kernels do
     * not keep the threads busy on their own. False: the tasks run one after another.
     */
    default boolean parallelTasks(long inputElements) { return false; }

    /**
     * Runs tasks 0..n−1, each calling ops of this backend, in any order and on any of the backend's
     * threads; each task's kernels then run on that one thread. Tasks write disjoint outputs and the
     * caller combines them in a fixed order, so the bits do not depend on the threads.
     */
    default void forEachTask(int n, java.util.function.IntConsumer task) {
        for (int i = 0; i < n; i++) task.accept(i);
    }

    // ---- raw device memory, for communication libraries (NCCL: docs/08-data-parallel.md) ----

    /** Whether tensors of this backend live in device memory that {@link #devicePointer} can name (CUDA; not the CPU). */
    default boolean hasDevicePointers() { return false; }

    /**
     * The device address of the first element of {@code t} (a tensor of this backend), for a library
     * that reads and writes device memory itself on {@link #streamHandle()}.
     *
     * @throws UnsupportedOperationException where {@link #hasDevicePointers()} is false
     */
    default long devicePointer(Tensor t) {
        throw new UnsupportedOperationException("device pointers need a CUDA device, not " + device());
    }

    /**
     * The native handle of the stream this backend runs its work on, in order with which a library's
     * work must run.
     *
     * @throws UnsupportedOperationException where {@link #hasDevicePointers()} is false
     */
    default long streamHandle() {
        throw new UnsupportedOperationException("streams need a CUDA device, not " + device());
    }
}
