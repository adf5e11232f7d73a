package adl.backend;

import adl.tensor.DType;
import adl.tensor.Storage;
import adl.tensor.Tensor;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@link Backend} decorator that counts calls and wall time (System.nanoTime around each call)
 * per {@link Family}, then delegates. Installed only while profiling ({@link Device#profileCpu}),
 * so the engine pays nothing when it is off. Times are host wall time: meaningful for the CPU
 * backend, whose primitives run synchronously; a CUDA backend would report launch time only.
 */
public final class ProfilingBackend implements Backend {
    /** The op families of the profile, in print order. */
    public enum Family {
        CONV_FWD("conv fwd"), CONV_BWD("conv bwd"), BATCH_NORM("batch norm"), POOLING("pooling"),
        WEIGHTED_SUM("weighted sum"), ELEMENTWISE("elementwise"), RESIZE("resize"), SOFTMAX_CE("softmax/CE"),
        OPTIMIZER("optimizer"), COPY_FILL("copy/fill"), ALLOCATE("allocate"), OTHER("other");

        public final String label;

        Family(String label) { this.label = label; }
    }

    private static final Family[] FAMILIES = Family.values();

    private final Backend inner;
    private final AtomicLongArray nanos = new AtomicLongArray(FAMILIES.length);
    private final AtomicLongArray calls = new AtomicLongArray(FAMILIES.length);

    public ProfilingBackend(Backend inner) {
        if (inner instanceof ProfilingBackend) throw new IllegalArgumentException("profiling backend around a profiling backend");
        this.inner = inner;
    }

    public Backend inner() { return inner; }

    /** Nanoseconds spent in calls of {@code f} since the last {@link #reset}. */
    public long nanos(Family f) { return nanos.get(f.ordinal()); }

    /** Calls of {@code f} since the last {@link #reset}. */
    public long calls(Family f) { return calls.get(f.ordinal()); }

    /** Zeroes every counter. */
    public void reset() {
        for (int i = 0; i < FAMILIES.length; i++) {
            nanos.set(i, 0);
            calls.set(i, 0);
        }
    }

    private void add(Family f, long t0) {
        nanos.addAndGet(f.ordinal(), System.nanoTime() - t0);
        calls.incrementAndGet(f.ordinal());
    }

    /** Runs {@code op} (a call of the inner backend), adding its wall time to {@code f}. */
    private void timed(Family f, Runnable op) {
        long t0 = System.nanoTime();
        try {
            op.run();
        } finally {
            add(f, t0);
        }
    }

    @Override public Device device() { return inner.device(); }

    @Override
    public Storage allocate(DType dtype, long numel) {
        long t0 = System.nanoTime();
        try { return inner.allocate(dtype, numel); } finally { add(Family.ALLOCATE, t0); }
    }

    @Override
    public double[] read(Tensor src) {
        long t0 = System.nanoTime();
        try { return inner.read(src); } finally { add(Family.OTHER, t0); }
    }

    @Override
    public void read(Tensor src, double[] dst) {
        long t0 = System.nanoTime();
        try { inner.read(src, dst); } finally { add(Family.OTHER, t0); }
    }

    @Override public void copy(Tensor src, Tensor dst) { timed(Family.COPY_FILL, () -> inner.copy(src, dst)); }
    @Override public void fill(Tensor dst, double value) { timed(Family.COPY_FILL, () -> inner.fill(dst, value)); }
    @Override public void randn(Tensor dst, long seed, double mean, double std) { timed(Family.OTHER, () -> inner.randn(dst, seed, mean, std)); }
    @Override public void uniform(Tensor dst, long seed, double lo, double hi) { timed(Family.OTHER, () -> inner.uniform(dst, seed, lo, hi)); }
    @Override public void write(Tensor dst, double[] values) { timed(Family.OTHER, () -> inner.write(dst, values)); }
    @Override public void writeInts(Tensor dst, int[] values) { timed(Family.OTHER, () -> inner.writeInts(dst, values)); }

    @Override public void unary(UnaryOp op, Tensor x, double scalar, Tensor y) { timed(Family.ELEMENTWISE, () -> inner.unary(op, x, scalar, y)); }
    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor z) { timed(Family.ELEMENTWISE, () -> inner.binary(op, a, b, z)); }
    @Override public void sumTo(Tensor x, Tensor y) { timed(Family.ELEMENTWISE, () -> inner.sumTo(x, y)); }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        timed(Family.OTHER, () -> inner.matmul(a, transA, b, transB, c));
    }

    @Override public void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y) { timed(Family.CONV_FWD, () -> inner.conv2dForward(x, w, p, y)); }
    @Override public void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) { timed(Family.CONV_BWD, () -> inner.conv2dBackwardData(gy, w, p, gx)); }
    @Override public void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) { timed(Family.CONV_BWD, () -> inner.conv2dBackwardFilter(x, gy, p, gw)); }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                               double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        timed(Family.BATCH_NORM, () -> inner.batchNormTrain(x, gamma, beta, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd));
    }

    @Override
    public void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        timed(Family.BATCH_NORM, () -> inner.batchNormEval(x, gamma, beta, runningMean, runningVar, eps, y));
    }

    @Override
    public void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                       Tensor gx, Tensor ggamma, Tensor gbeta) {
        timed(Family.BATCH_NORM, () -> inner.batchNormTrainBackward(x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta));
    }

    @Override public void maxPoolForward(Tensor x, PoolParams p, Tensor y) { timed(Family.POOLING, () -> inner.maxPoolForward(x, p, y)); }
    @Override public void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) { timed(Family.POOLING, () -> inner.maxPoolBackward(x, gy, p, gx)); }
    @Override public void avgPoolForward(Tensor x, PoolParams p, Tensor y) { timed(Family.POOLING, () -> inner.avgPoolForward(x, p, y)); }
    @Override public void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx) { timed(Family.POOLING, () -> inner.avgPoolBackward(gy, p, gx)); }

    @Override public void resizeBilinear(Tensor x, boolean alignCorners, Tensor y) { timed(Family.RESIZE, () -> inner.resizeBilinear(x, alignCorners, y)); }
    @Override public void resizeBilinearBackward(Tensor gy, boolean alignCorners, Tensor gx) { timed(Family.RESIZE, () -> inner.resizeBilinearBackward(gy, alignCorners, gx)); }

    @Override public void softmax(Tensor x, int axis, boolean log, Tensor y) { timed(Family.SOFTMAX_CE, () -> inner.softmax(x, axis, log, y)); }
    @Override public void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) { timed(Family.SOFTMAX_CE, () -> inner.softmaxBackward(y, gy, axis, log, gx)); }

    @Override
    public void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        timed(Family.SOFTMAX_CE, () -> inner.crossEntropy(logits, labels, ignoreIndex, loss));
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        timed(Family.SOFTMAX_CE, () -> inner.crossEntropyBackward(logits, labels, ignoreIndex, scale, gx));
    }

    @Override public void weightedSum(Tensor[] xs, Tensor w, Tensor out) { timed(Family.WEIGHTED_SUM, () -> inner.weightedSum(xs, w, out)); }

    @Override
    public void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        timed(Family.WEIGHTED_SUM, () -> inner.weightedSumBackward(xs, w, gy, gxs, gw));
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        timed(Family.OPTIMIZER, () -> inner.sgdStep(param, grad, momentumBuf, lr, momentum, weightDecay, nesterov, firstStep));
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                         double beta2, double eps, double weightDecay) {
        timed(Family.OPTIMIZER, () -> inner.adamStep(param, grad, m, v, step, lr, beta1, beta2, eps, weightDecay));
    }

    @Override public boolean capturesGraphs() { return inner.capturesGraphs(); }

    @Override public boolean parallelTasks(long inputElements) { return inner.parallelTasks(inputElements); }

    @Override public void forEachTask(int n, java.util.function.IntConsumer task) { inner.forEachTask(n, task); }
    @Override public CapturedGraph captureGraph(String name, Runnable body) { return inner.captureGraph(name, body); }
    @Override public CapturedGraph.Scalars replayScalars() { return inner.replayScalars(); }
}
