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
 * class (CpuConv, CpuBatchNorm, ...); this class only dispatches, each op between
 * {@link CpuResidency#enter} (its operands made resident; the one safe point where other storages
 * may be spilled off-heap) and {@link CpuResidency#exit}.
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

    @Override
    public Storage allocate(DType dtype, long numel) {
        if (numel > Integer.MAX_VALUE) throw new IllegalArgumentException("CPU tensor of " + numel + " elements is too large");
        return new CpuStorage(dtype, (int) numel);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CpuResidency.enter(src, dst);
        try {
            CpuCopy.copy(src, dst);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void fill(Tensor dst, double value) {
        CpuResidency.enter(dst);
        try {
            CpuCopy.fill(dst, value);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void randn(Tensor dst, long seed, double mean, double std) {
        CpuResidency.enter(dst);
        try {
            CpuCopy.randn(dst, seed, mean, std);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void uniform(Tensor dst, long seed, double lo, double hi) {
        CpuResidency.enter(dst);
        try {
            CpuCopy.uniform(dst, seed, lo, hi);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void write(Tensor dst, double[] values) {
        CpuResidency.enter(dst);
        try {
            CpuCopy.write(dst, values);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void writeInts(Tensor dst, int[] values) {
        CpuResidency.enter(dst);
        try {
            CpuCopy.writeInts(dst, values);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public double[] read(Tensor src) {
        CpuResidency.enter(src);
        try {
            return CpuCopy.read(src);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void unary(UnaryOp op, Tensor x, double scalar, Tensor y) {
        CpuResidency.enter(x, y);
        try {
            CpuElementwise.unary(op, x, scalar, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor z) {
        CpuResidency.enter(a, b, z);
        try {
            CpuElementwise.binary(op, a, b, z);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void sumTo(Tensor x, Tensor y) {
        CpuResidency.enter(x, y);
        try {
            CpuElementwise.sumTo(x, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        CpuResidency.enter(a, b, c);
        try {
            CpuMatmul.matmul(a, transA, b, transB, c);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, ConvParams p, Tensor y) {
        CpuResidency.enter(x, w, y);
        try {
            CpuConv.forward(x, w, p, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) {
        CpuResidency.enter(gy, w, gx);
        try {
            CpuConv.backwardData(gy, w, p, gx);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) {
        CpuResidency.enter(x, gy, gw);
        try {
            CpuConv.backwardFilter(x, gy, p, gw);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                               double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        CpuResidency.enter(x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
        try {
            CpuBatchNorm.train(x, gamma, beta, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        CpuResidency.enter(x, gamma, beta, runningMean, runningVar, y);
        try {
            CpuBatchNorm.eval(x, gamma, beta, runningMean, runningVar, eps, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void batchNormTrainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                       Tensor gx, Tensor ggamma, Tensor gbeta) {
        CpuResidency.enter(x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta);
        try {
            CpuBatchNorm.trainBackward(x, gy, gamma, saveMean, saveInvStd, gx, ggamma, gbeta);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void maxPoolForward(Tensor x, PoolParams p, Tensor y) {
        CpuResidency.enter(x, y);
        try {
            CpuPool.maxForward(x, p, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) {
        CpuResidency.enter(x, gy, gx);
        try {
            CpuPool.maxBackward(x, gy, p, gx);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void avgPoolForward(Tensor x, PoolParams p, Tensor y) {
        CpuResidency.enter(x, y);
        try {
            CpuPool.avgForward(x, p, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void avgPoolBackward(Tensor gy, PoolParams p, Tensor gx) {
        CpuResidency.enter(gy, gx);
        try {
            CpuPool.avgBackward(gy, p, gx);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void resizeBilinear(Tensor x, boolean alignCorners, Tensor y) {
        CpuResidency.enter(x, y);
        try {
            CpuResize.forward(x, alignCorners, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void resizeBilinearBackward(Tensor gy, boolean alignCorners, Tensor gx) {
        CpuResidency.enter(gy, gx);
        try {
            CpuResize.backward(gy, alignCorners, gx);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor y) {
        CpuResidency.enter(x, y);
        try {
            CpuSoftmax.forward(x, axis, log, y);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) {
        CpuResidency.enter(y, gy, gx);
        try {
            CpuSoftmax.backward(y, gy, axis, log, gx);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        CpuResidency.enter(logits, labels, loss);
        try {
            CpuCrossEntropy.forward(logits, labels, ignoreIndex, loss);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        CpuResidency.enter(logits, labels, scale, gx);
        try {
            CpuCrossEntropy.backward(logits, labels, ignoreIndex, scale, gx);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void weightedSum(Tensor[] xs, Tensor w, Tensor out) {
        CpuResidency.enter(xs, w, out);
        try {
            CpuWeightedSum.forward(xs, w, out);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        CpuResidency.enter(concat(xs, gxs), w, gy, gw);
        try {
            CpuWeightedSum.backward(xs, w, gy, gxs, gw);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        CpuResidency.enter(param, grad, momentumBuf);
        try {
            CpuOptim.sgd(param, grad, momentumBuf, lr, momentum, weightDecay, nesterov, firstStep);
        } finally {
            CpuResidency.exit();
        }
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                         double beta2, double eps, double weightDecay) {
        CpuResidency.enter(param, grad, m, v);
        try {
            CpuOptim.adam(param, grad, m, v, step, lr, beta1, beta2, eps, weightDecay);
        } finally {
            CpuResidency.exit();
        }
    }
}
