package adl.backend.cpu;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.PoolParams;
import adl.backend.UnaryOp;
import adl.tensor.DType;
import adl.tensor.Storage;
import adl.tensor.Tensor;

/**
 * The CPU backend: the living definition of every primitive. Each op family lives in its own
 * class (CpuConv, CpuBatchNorm, ...); this class only dispatches, each op
 * inside {@link CpuResidency#during} (its operands made resident; the one safe point where other
 * storages may be spilled off-heap).
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    /** a and b in one array (either may be null: an op's optional outputs). */
    private static Tensor[] concat(Tensor[] a, Tensor[] b) {
        if (a == null) return b == null ? new Tensor[0] : b;
        if (b == null) return a;
        Tensor[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override public Device device() { return Device.CPU; }

    /**
     * With more than two threads, above this many input elements per thread a MixedOp's branches run
     * one after another with each kernel split over the threads (seven branches cannot keep many
     * threads busy); below, and always with two threads, the branches are the tasks. Why branches:
     * at the search's CPU sizes most kernels last a few microseconds, too short to share between
     * threads, while a MixedOp's branches are work enough for two (docs/performance.md: on the
     * 2-core machine, branch tasks beat split kernels at crop 64 and at the paper's crop 321 alike).
     */
    static final long MAX_TASK_ELEMENTS_PER_THREAD = 16_384;

    /** Parallel is told a task is this much work: each task is a claim of its own, and always threaded. */
    private static final long TASK_WORK = 1L << 20;

    @Override public boolean parallelTasks(long inputElements) {
        int threads = Parallel.threads();
        return threads == 2 || threads > 2 && inputElements <= MAX_TASK_ELEMENTS_PER_THREAD * threads;
    }

    @Override public void forEachTask(int n, java.util.function.IntConsumer task) { Parallel.forEach(n, TASK_WORK, task); }

    @Override
    public Storage allocate(DType dtype, long numel) {
        if (numel > Integer.MAX_VALUE) throw new IllegalArgumentException("CPU tensor of " + numel + " elements is too large");
        return new CpuStorage(dtype, (int) numel);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CpuResidency.during(() -> CpuCopy.copy(src, dst), src, dst);
    }

    @Override
    public void fill(Tensor dst, double value) {
        CpuResidency.during(() -> CpuCopy.fill(dst, value), dst);
    }

    @Override
    public void randn(Tensor dst, long seed, double mean, double std) {
        CpuResidency.during(() -> CpuCopy.randn(dst, seed, mean, std), dst);
    }

    @Override
    public void uniform(Tensor dst, long seed, double lo, double hi) {
        CpuResidency.during(() -> CpuCopy.uniform(dst, seed, lo, hi), dst);
    }

    @Override
    public void write(Tensor dst, double[] values) {
        CpuResidency.during(() -> CpuCopy.write(dst, values), dst);
    }

    @Override
    public void writeInts(Tensor dst, int[] values) {
        CpuResidency.during(() -> CpuCopy.writeInts(dst, values), dst);
    }

    @Override
    public double[] read(Tensor src) {
        return CpuResidency.during(() -> CpuCopy.read(src), src);
    }

    @Override
    public void read(Tensor src, double[] dst) {
        if (dst.length < src.numel()) throw new IllegalArgumentException("read: " + src.describe() + " into " + dst.length + " doubles");
        CpuResidency.during(() -> CpuCopy.read(src, dst), src);
    }

    @Override
    public void unary(UnaryOp op, Tensor x, double scalar, Tensor y) {
        CpuResidency.during(() -> CpuElementwise.unary(op, x, scalar, y), x, y);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor z) {
        CpuResidency.during(() -> CpuElementwise.binary(op, a, b, z), a, b, z);
    }

    @Override
    public void sumTo(Tensor x, Tensor y) {
        CpuResidency.during(() -> CpuElementwise.sumTo(x, y), x, y);
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        CpuResidency.during(() -> CpuMatmul.matmul(a, transA, b, transB, c), a, b, c);
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y) {
        CpuResidency.during(() -> CpuConv.forward(x, w, p, y), x, w, y);
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) {
        CpuResidency.during(() -> CpuConv.backwardData(gy, w, p, gx), gy, w, gx);
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) {
        CpuResidency.during(() -> CpuConv.backwardFilter(x, gy, p, gw), x, gy, gw);
    }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                               double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        CpuResidency.during(() -> CpuBatchNorm.train(x, gamma, beta, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd), x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
    }

    @Override
    public void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        CpuResidency.during(() -> CpuBatchNorm.eval(x, gamma, beta, runningMean, runningVar, eps, y), x, gamma, beta, runningMean, runningVar, y);
    }

    @Override
    public void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                       Tensor gx, Tensor ggamma, Tensor gbeta) {
        CpuResidency.during(() -> CpuBatchNorm.trainBackward(x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta), x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta);
    }

    @Override
    public void maxPoolForward(Tensor x, PoolParams p, Tensor y) {
        CpuResidency.during(() -> CpuPool.maxForward(x, p, y), x, y);
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) {
        CpuResidency.during(() -> CpuPool.maxBackward(x, gy, p, gx), x, gy, gx);
    }

    @Override
    public void avgPoolForward(Tensor x, PoolParams p, Tensor y) {
        CpuResidency.during(() -> CpuPool.avgForward(x, p, y), x, y);
    }

    @Override
    public void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx) {
        CpuResidency.during(() -> CpuPool.avgBackward(gy, p, gx), gy, gx);
    }

    @Override
    public void resizeBilinear(Tensor x, boolean alignCorners, Tensor y) {
        CpuResidency.during(() -> CpuResize.forward(x, alignCorners, y), x, y);
    }

    @Override
    public void resizeBilinearBackward(Tensor gy, boolean alignCorners, Tensor gx) {
        CpuResidency.during(() -> CpuResize.backward(gy, alignCorners, gx), gy, gx);
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor y) {
        CpuResidency.during(() -> CpuSoftmax.forward(x, axis, log, y), x, y);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) {
        CpuResidency.during(() -> CpuSoftmax.backward(y, gy, axis, log, gx), y, gy, gx);
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        CpuResidency.during(() -> CpuCrossEntropy.forward(logits, labels, ignoreIndex, loss), logits, labels, loss);
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        CpuResidency.during(() -> CpuCrossEntropy.backward(logits, labels, ignoreIndex, scale, gx), logits, labels, scale, gx);
    }

    @Override
    public void weightedSum(Tensor[] xs, Tensor w, Tensor out) {
        CpuResidency.during(() -> CpuWeightedSum.forward(xs, w, out), xs, w, out);
    }

    @Override
    public void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        CpuResidency.during(() -> CpuWeightedSum.backward(xs, w, gy, gxs, gw), concat(xs, gxs), w, gy, gw);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        CpuResidency.during(() -> CpuOptim.sgd(param, grad, momentumBuf, lr, momentum, weightDecay, nesterov, firstStep), param, grad, momentumBuf);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                         double beta2, double eps, double weightDecay) {
        CpuResidency.during(() -> CpuOptim.adam(param, grad, m, v, step, lr, beta1, beta2, eps, weightDecay), param, grad, m, v);
    }
}
