package adl.backend.cuda;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.GraphCaptureException;
import adl.backend.LibraryUnavailableException;
import adl.backend.PoolParams;
import adl.backend.UnaryOp;
import adl.tensor.DType;
import adl.tensor.Storage;
import adl.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * The CUDA backend of one device (docs/05-gpu-backend.md): float32 kernels from kernels-ptx through
 * {@link CudaKernels}, memory from a {@link CachingAllocator}, host transfers through {@link Transfers},
 * everything on one stream. F64 tensors can be allocated, written, read, filled and copied; their
 * arithmetic stays on the CPU reference path ({@code UnsupportedOperationException}). Matmul goes through cuBLAS;
 * conv, batch norm and pooling through cuDNN ({@link CudnnOps}). Op families live in {@link CudaOps} and {@link CudaNnOps}; this
 * class holds the device state and dispatches.
 *
 * <p>CUDA graphs: {@link #capture} records a step as a {@link CudaGraph}. While capturing, this backend
 * refuses (with {@link GraphCaptureException}) what a graph cannot hold: host copies in either direction,
 * driver allocations (via the allocator), optimizer state made inside the step; cross-entropy then skips
 * its label-range check (a host read), so the caller checks labels on the host before uploading them.
 */
public final class CudaBackend implements Backend, AutoCloseable {
    private final Device device;
    private final CachingAllocator allocator;
    final CudaKernels kernels;
    final Transfers io;
    final long stream;
    private final CudaMatmul.Gemm gemm;
    private final AutoCloseable resources;
    private final CudaOps ops;
    private final CudaNnOps nn;
    private CudnnOps cudnn;
    private final CudaGraph.Driver graphs;
    private final StepScalars scalars = new StepScalars(this);
    private CachingAllocator.Pool capturePool;
    private int liveGraphs;
    /** Why cuBLAS / cuDNN are absent, when they are (the ops that need them say it). */
    private String cublasMissing = "this backend was opened without cuBLAS", cudnnMissing = "this backend was opened without cuDNN";

    /** Wires the parts; {@code gemm} null: no matmul; {@code resources} is closed by {@link #close()} (null: nothing to close). */
    CudaBackend(int ordinal, CachingAllocator allocator, CudaKernels kernels, Transfers io, long stream, CudaMatmul.Gemm gemm,
                AutoCloseable resources) {
        this(ordinal, allocator, kernels, io, stream, gemm, resources, null);
    }

    /** As above; {@code graphs} null: this backend cannot capture graphs. */
    CudaBackend(int ordinal, CachingAllocator allocator, CudaKernels kernels, Transfers io, long stream, CudaMatmul.Gemm gemm,
                AutoCloseable resources, CudaGraph.Driver graphs) {
        this.graphs = graphs;
        this.device = new Device(Device.Kind.CUDA, ordinal);
        this.allocator = allocator;
        this.kernels = kernels;
        this.io = io;
        this.stream = stream;
        this.gemm = gemm;
        this.resources = resources;
        this.ops = new CudaOps(this);
        this.nn = new CudaNnOps(this);
    }

    /**
     * Retains device {@code ordinal}'s primary context and creates the stream, allocator, staging and
     * (when {@code cublas} is not null) a cuBLAS handle on the stream.
     */
    public static CudaBackend open(CudaDriver driver, Cublas cublas, int ordinal) { return open(driver, cublas, null, ordinal); }

    /** As {@link #open(CudaDriver, Cublas, int)}, with a cuDNN handle on the stream when {@code cudnn} is not null. */
    public static CudaBackend open(CudaDriver driver, Cublas cublas, Cudnn cudnn, int ordinal) {
        CudaContext ctx = CudaContext.primary(driver, ordinal);
        MemorySegment stream = driver.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING);
        CachingAllocator allocator = new CachingAllocator(new CachingAllocator.DeviceMemory() {
            @Override public long allocate(long bytes) {
                ctx.makeCurrent();
                try {
                    return driver.memAlloc(bytes);
                } catch (CudaException e) {
                    if (e.code() == 2) return 0; // CUDA_ERROR_OUT_OF_MEMORY: the allocator releases its cache and retries
                    throw e;
                }
            }

            @Override public void free(long pointer) {
                ctx.makeCurrent();
                driver.memFree(pointer);
            }
        });
        CudaModules modules = new CudaModules(ctx);
        Transfers.Pinned pinned = new Transfers.Pinned(ctx, stream);
        CudaMatmul.CublasGemm gemm = cublas == null ? null : new CudaMatmul.CublasGemm(ctx, cublas, stream);
        CudnnNative dnn = cudnn == null ? null : new CudnnNative(cudnn, ctx, stream);
        AutoCloseable resources = () -> {
            ctx.makeCurrent();
            driver.streamSynchronize(stream);
            if (dnn != null) dnn.close();
            if (gemm != null) gemm.close();
            pinned.close();
            modules.close();
            synchronized (allocator) { allocator.releaseCache(); }
            driver.streamDestroy(stream);
            ctx.close();
        };
        CudaBackend backend = new CudaBackend(ordinal, allocator, new CudaKernels(modules), pinned, stream.address(), gemm, resources,
                CudaGraph.driver(ctx, stream));
        backend.useCudnn(dnn);
        return backend;
    }

    @Override public Device device() { return device; }

    /** The CUstream every operation of this backend runs on (collectives are enqueued on it: docs/08-data-parallel.md §9). */
    public long stream() { return stream; }

    @Override public boolean hasDevicePointers() { return true; }
    @Override public long devicePointer(Tensor t) { return CudaStorage.ptr(t); }
    @Override public long streamHandle() { return stream; }

    @Override public Storage allocate(DType dtype, long numel) { return new CudaStorage(allocator, device.index(), dtype, numel); }

    /** A contiguous device tensor for scratch; the caller closes it (its block is reused in stream order). */
    Tensor scratch(DType dtype, adl.tensor.Shape shape) {
        return new Tensor(allocate(dtype, shape.numel()), shape, shape.contiguousStrides(), 0);
    }

    CachingAllocator allocator() { return allocator; }

    /** The allocator's high-water mark of bytes in use (the benchmarks' peak device memory). */
    public long peakDeviceBytes() {
        synchronized (allocator) { return allocator.peak(); }
    }

    @Override public void close() throws Exception {
        scalars.release();
        if (cudnn != null) cudnn.releaseWorkspace();
        if (resources != null) resources.close();
    }

    // ---- host copies (refused while capturing) ----

    /** Queues a copy of {@code bytes} host bytes to {@code dst}; {@code what} names it in the capture error. */
    void toDevice(long dst, MemorySegment src, long bytes, String what) {
        if (capturePool != null) {
            throw new GraphCaptureException("a host→device copy of " + bytes + " bytes (" + what + ") during the capture of '"
                    + captureName() + "': a replay would copy whatever the staging buffer then holds; write inputs before the launch");
        }
        io.toDevice(dst, src, bytes);
    }

    /** Copies {@code bytes} device bytes to the host, waiting for the stream; {@code what} names it in the capture error. */
    void toHost(MemorySegment dst, long src, long bytes, String what) {
        if (capturePool != null) {
            throw new GraphCaptureException("a host synchronisation (a device→host copy of " + bytes + " bytes: " + what
                    + ") during the capture of '" + captureName() + "'; read results after the launch");
        }
        io.toHost(dst, src, bytes);
    }

    // ---- CUDA graphs ----

    /**
     * Captures {@code body} (run once, on this thread, with its work recorded and not run) as a graph;
     * launch it to run it. Throws {@link GraphCaptureException} naming what the body did that a graph
     * cannot hold, and {@code UnsupportedOperationException} when this backend cannot capture.
     */
    public CudaGraph capture(String name, Runnable body) {
        if (graphs == null) throw new UnsupportedOperationException("this CUDA backend was built without graph support");
        return CudaGraph.capture(this, graphs, name, body);
    }

    @Override public boolean capturesGraphs() { return graphs != null; }

    @Override public CudaGraph captureGraph(String name, Runnable body) { return capture(name, body); }

    @Override public StepScalars replayScalars() { return scalars; }

    /** Whether a capture is in progress. */
    public boolean capturing() { return capturePool != null; }

    String captureName() { return capturePool == null ? null : capturePool.name(); }

    /** The device scalars the optimizer kernels read (see {@link StepScalars}). */
    public StepScalars stepScalars() { return scalars; }

    CachingAllocator.Pool beginCapture(String name) {
        if (capturePool != null) throw new IllegalStateException("capture of '" + name + "' during the capture of '" + captureName() + "'");
        synchronized (allocator) {
            capturePool = allocator.beginCapture(name);
            if (cudnn != null) cudnn.adoptWorkspace(allocator);
        }
        return capturePool;
    }

    void endCapture(CachingAllocator.Pool pool) {
        synchronized (allocator) { allocator.endCapture(pool); }
        capturePool = null;
    }

    void releasePool(CachingAllocator.Pool pool) {
        synchronized (allocator) { allocator.releasePool(pool); }
    }

    void graphOpened() { liveGraphs++; }

    void graphClosed() { liveGraphs--; }

    /** Graphs captured and not yet closed. */
    int liveGraphs() { return liveGraphs; }

    // ---- data movement ----

    @Override public void copy(Tensor src, Tensor dst) { ops.copy(src, dst); }
    @Override public void fill(Tensor dst, double value) { ops.fill(dst, value); }
    @Override public void randn(Tensor dst, long seed, double mean, double std) { ops.randn(dst, seed, mean, std); }
    @Override public void uniform(Tensor dst, long seed, double lo, double hi) { ops.uniform(dst, seed, lo, hi); }
    @Override public void write(Tensor dst, double[] values) { ops.write(dst, values); }
    @Override public void writeInts(Tensor dst, int[] values) { ops.writeInts(dst, values); }
    @Override public double[] read(Tensor src) { return ops.read(src); }

    // ---- elementwise ----

    @Override public void unary(UnaryOp op, Tensor x, double scalar, Tensor y) { ops.unary(op, x, scalar, y); }
    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor z) { ops.binary(op, a, b, z); }
    @Override public void sumTo(Tensor x, Tensor y) { ops.sumTo(x, y); }

    // ---- cuBLAS and cuDNN ----

    /** The cuDNN ops; without cuDNN, {@link LibraryUnavailableException} with the reason (selftest skips such checks). */
    private CudnnOps dnn(String op) {
        if (cudnn == null) throw new LibraryUnavailableException("cuDNN", op, cudnnMissing);
        return cudnn;
    }

    /** Records why cuBLAS and cuDNN are missing (null: present), for the errors of the ops that need them. */
    void missingLibraries(String cublasWhy, String cudnnWhy) {
        if (cublasWhy != null) cublasMissing = cublasWhy;
        if (cudnnWhy != null) cudnnMissing = cudnnWhy;
    }

    String cublasMissing() { return cublasMissing; }

    /** Routes conv / batch norm / pooling through {@code api} (tests pass a recording fake). */
    void useCudnn(CudnnApi api) { this.cudnn = api == null ? null : new CudnnOps(this, api); }

    CudnnOps cudnnOps() { return cudnn; }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) { CudaMatmul.matmul(this, gemm, a, transA, b, transB, c); }
    @Override public void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y) { dnn("conv2dForward").conv2dForward(x, w, p, y); }
    @Override public void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) { dnn("conv2dBackwardData").conv2dBackwardData(gy, w, p, gx); }
    @Override public void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) { dnn("conv2dBackwardFilter").conv2dBackwardFilter(x, gy, p, gw); }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                               double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        dnn("batchNormTrain").batchNormTrain(x, gamma, beta, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd);
    }

    @Override
    public void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        dnn("batchNormEval").batchNormEval(x, gamma, beta, runningMean, runningVar, eps, y);
    }

    @Override
    public void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                       Tensor gx, Tensor ggamma, Tensor gbeta) {
        dnn("batchNormTrainBackward").batchNormTrainBackward(x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta);
    }

    @Override public void maxPoolForward(Tensor x, PoolParams p, Tensor y) { dnn("maxPoolForward").maxPoolForward(x, p, y); }
    @Override public void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) { dnn("maxPoolBackward").maxPoolBackward(x, gy, p, gx); }
    @Override public void avgPoolForward(Tensor x, PoolParams p, Tensor y) { dnn("avgPoolForward").avgPoolForward(x, p, y); }
    @Override public void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx) { dnn("avgPoolBackward").avgPoolBackward(gy, p, gx); }

    // ---- hand-written kernels ----

    @Override public void resizeBilinear(Tensor x, boolean alignCorners, Tensor y) { nn.resize(x, alignCorners, y, false); }
    @Override public void resizeBilinearBackward(Tensor gy, boolean alignCorners, Tensor gx) { nn.resize(gy, alignCorners, gx, true); }

    @Override public void softmax(Tensor x, int axis, boolean log, Tensor y) { nn.softmax(x, axis, log, y); }
    @Override public void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) { nn.softmaxBackward(y, gy, axis, log, gx); }

    @Override
    public void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        nn.crossEntropy(logits, labels, ignoreIndex, loss);
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        nn.crossEntropyBackward(logits, labels, ignoreIndex, scale, gx);
    }

    @Override public void weightedSum(Tensor[] xs, Tensor w, Tensor out) { nn.weightedSum(xs, w, out); }

    @Override
    public void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        nn.weightedSumBackward(xs, w, gy, gxs, gw);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        nn.sgd(param, grad, momentumBuf, lr, momentum, weightDecay, nesterov, firstStep);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                         double beta2, double eps, double weightDecay) {
        nn.adam(param, grad, m, v, step, lr, beta1, beta2, eps, weightDecay);
    }
}
