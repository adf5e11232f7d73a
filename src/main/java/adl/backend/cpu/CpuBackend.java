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
 * class (CpuConv, CpuBatchNorm, ...); this class only dispatches.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override public Device device() { return Device.CPU; }

    @Override
    public Storage allocate(DType dtype, long numel) {
        if (numel > Integer.MAX_VALUE) throw new IllegalArgumentException("CPU tensor of " + numel + " elements is too large");
        return new CpuStorage(dtype, (int) numel);
    }

    @Override public void copy(Tensor src, Tensor dst) { CpuCopy.copy(src, dst); }
    @Override public void fill(Tensor dst, double value) { CpuCopy.fill(dst, value); }
    @Override public void randn(Tensor dst, long seed, double mean, double std) { CpuCopy.randn(dst, seed, mean, std); }
    @Override public void uniform(Tensor dst, long seed, double lo, double hi) { CpuCopy.uniform(dst, seed, lo, hi); }
    @Override public void write(Tensor dst, double[] values) { CpuCopy.write(dst, values); }
    @Override public void writeInts(Tensor dst, int[] values) { CpuCopy.writeInts(dst, values); }
    @Override public double[] read(Tensor src) { return CpuCopy.read(src); }

    @Override public void unary(UnaryOp op, Tensor x, double scalar, Tensor y) { CpuElementwise.unary(op, x, scalar, y); }
    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor z) { CpuElementwise.binary(op, a, b, z); }
    @Override public void sumTo(Tensor x, Tensor y) { CpuElementwise.sumTo(x, y); }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) { CpuMatmul.matmul(a, transA, b, transB, c); }

    @Override public void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y) { CpuConv.forward(x, w, p, y); }
    @Override public void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) { CpuConv.backwardData(gy, w, p, gx); }
    @Override public void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) { CpuConv.backwardFilter(x, gy, p, gw); }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                               double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        CpuBatchNorm.train(x, gamma, beta, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd);
    }

    @Override
    public void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        CpuBatchNorm.eval(x, gamma, beta, runningMean, runningVar, eps, y);
    }

    @Override
    public void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                       Tensor gx, Tensor ggamma, Tensor gbeta) {
        CpuBatchNorm.trainBackward(x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta);
    }

    @Override public void maxPoolForward(Tensor x, PoolParams p, Tensor y) { CpuPool.maxForward(x, p, y); }
    @Override public void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) { CpuPool.maxBackward(x, gy, p, gx); }
    @Override public void avgPoolForward(Tensor x, PoolParams p, Tensor y) { CpuPool.avgForward(x, p, y); }
    @Override public void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx) { CpuPool.avgBackward(gy, p, gx); }

    @Override public void resizeBilinear(Tensor x, boolean alignCorners, Tensor y) { CpuResize.forward(x, alignCorners, y); }
    @Override public void resizeBilinearBackward(Tensor gy, boolean alignCorners, Tensor gx) { CpuResize.backward(gy, alignCorners, gx); }

    @Override public void softmax(Tensor x, int axis, boolean log, Tensor y) { CpuSoftmax.forward(x, axis, log, y); }
    @Override public void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) { CpuSoftmax.backward(y, gy, axis, log, gx); }

    @Override
    public void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        CpuCrossEntropy.forward(logits, labels, ignoreIndex, loss);
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        CpuCrossEntropy.backward(logits, labels, ignoreIndex, scale, gx);
    }

    @Override public void weightedSum(Tensor[] xs, Tensor w, Tensor out) { CpuWeightedSum.forward(xs, w, out); }

    @Override
    public void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        CpuWeightedSum.backward(xs, w, gy, gxs, gw);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        CpuOptim.sgd(param, grad, momentumBuf, lr, momentum, weightDecay, nesterov, firstStep);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                         double beta2, double eps, double weightDecay) {
        CpuOptim.adam(param, grad, m, v, step, lr, beta1, beta2, eps, weightDecay);
    }
}
