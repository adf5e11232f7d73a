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

    @Override public Device device() { return inner.device(); }

    @Override
    public Storage allocate(DType dtype, long numel) {
        long t0 = System.nanoTime();
        try { return inner.allocate(dtype, numel); } finally { add(Family.ALLOCATE, t0); }
    }

    @Override public void copy(Tensor src, Tensor dst) { long t0 = System.nanoTime(); inner.copy(src, dst); add(Family.COPY_FILL, t0); }
    @Override public void fill(Tensor dst, double value) { long t0 = System.nanoTime(); inner.fill(dst, value); add(Family.COPY_FILL, t0); }

    @Override
    public void randn(Tensor dst, long seed, double mean, double std) {
        long t0 = System.nanoTime(); inner.randn(dst, seed, mean, std); add(Family.OTHER, t0);
    }

    @Override
    public void uniform(Tensor dst, long seed, double lo, double hi) {
        long t0 = System.nanoTime(); inner.uniform(dst, seed, lo, hi); add(Family.OTHER, t0);
    }

    @Override public void write(Tensor dst, double[] values) { long t0 = System.nanoTime(); inner.write(dst, values); add(Family.OTHER, t0); }
    @Override public void writeInts(Tensor dst, int[] values) { long t0 = System.nanoTime(); inner.writeInts(dst, values); add(Family.OTHER, t0); }

    @Override
    public double[] read(Tensor src) {
        long t0 = System.nanoTime();
        try { return inner.read(src); } finally { add(Family.OTHER, t0); }
    }

    @Override
    public void unary(UnaryOp op, Tensor x, double scalar, Tensor y) {
        long t0 = System.nanoTime(); inner.unary(op, x, scalar, y); add(Family.ELEMENTWISE, t0);
    }

    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor z) { long t0 = System.nanoTime(); inner.binary(op, a, b, z); add(Family.ELEMENTWISE, t0); }
    @Override public void sumTo(Tensor x, Tensor y) { long t0 = System.nanoTime(); inner.sumTo(x, y); add(Family.ELEMENTWISE, t0); }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        long t0 = System.nanoTime(); inner.matmul(a, transA, b, transB, c); add(Family.OTHER, t0);
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y) {
        long t0 = System.nanoTime(); inner.conv2dForward(x, w, p, y); add(Family.CONV_FWD, t0);
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) {
        long t0 = System.nanoTime(); inner.conv2dBackwardData(gy, w, p, gx); add(Family.CONV_BWD, t0);
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) {
        long t0 = System.nanoTime(); inner.conv2dBackwardFilter(x, gy, p, gw); add(Family.CONV_BWD, t0);
    }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                               double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        long t0 = System.nanoTime();
        inner.batchNormTrain(x, gamma, beta, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd);
        add(Family.BATCH_NORM, t0);
    }

    @Override
    public void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        long t0 = System.nanoTime(); inner.batchNormEval(x, gamma, beta, runningMean, runningVar, eps, y); add(Family.BATCH_NORM, t0);
    }

    @Override
    public void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                       Tensor gx, Tensor ggamma, Tensor gbeta) {
        long t0 = System.nanoTime();
        inner.batchNormTrainBackward(x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta);
        add(Family.BATCH_NORM, t0);
    }

    @Override public void maxPoolForward(Tensor x, PoolParams p, Tensor y) { long t0 = System.nanoTime(); inner.maxPoolForward(x, p, y); add(Family.POOLING, t0); }

    @Override
    public void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) {
        long t0 = System.nanoTime(); inner.maxPoolBackward(x, gy, p, gx); add(Family.POOLING, t0);
    }

    @Override public void avgPoolForward(Tensor x, PoolParams p, Tensor y) { long t0 = System.nanoTime(); inner.avgPoolForward(x, p, y); add(Family.POOLING, t0); }
    @Override public void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx) { long t0 = System.nanoTime(); inner.avgPoolBackward(gy, p, gx); add(Family.POOLING, t0); }

    @Override
    public void resizeBilinear(Tensor x, boolean alignCorners, Tensor y) {
        long t0 = System.nanoTime(); inner.resizeBilinear(x, alignCorners, y); add(Family.RESIZE, t0);
    }

    @Override
    public void resizeBilinearBackward(Tensor gy, boolean alignCorners, Tensor gx) {
        long t0 = System.nanoTime(); inner.resizeBilinearBackward(gy, alignCorners, gx); add(Family.RESIZE, t0);
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor y) {
        long t0 = System.nanoTime(); inner.softmax(x, axis, log, y); add(Family.SOFTMAX_CE, t0);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) {
        long t0 = System.nanoTime(); inner.softmaxBackward(y, gy, axis, log, gx); add(Family.SOFTMAX_CE, t0);
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        long t0 = System.nanoTime(); inner.crossEntropy(logits, labels, ignoreIndex, loss); add(Family.SOFTMAX_CE, t0);
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        long t0 = System.nanoTime(); inner.crossEntropyBackward(logits, labels, ignoreIndex, scale, gx); add(Family.SOFTMAX_CE, t0);
    }

    @Override
    public void weightedSum(Tensor[] xs, Tensor w, Tensor out) {
        long t0 = System.nanoTime(); inner.weightedSum(xs, w, out); add(Family.WEIGHTED_SUM, t0);
    }

    @Override
    public void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        long t0 = System.nanoTime(); inner.weightedSumBackward(xs, w, gy, gxs, gw); add(Family.WEIGHTED_SUM, t0);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        long t0 = System.nanoTime();
        inner.sgdStep(param, grad, momentumBuf, lr, momentum, weightDecay, nesterov, firstStep);
        add(Family.OPTIMIZER, t0);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                         double beta2, double eps, double weightDecay) {
        long t0 = System.nanoTime();
        inner.adamStep(param, grad, m, v, step, lr, beta1, beta2, eps, weightDecay);
        add(Family.OPTIMIZER, t0);
    }
}
