package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** Batch normalisation over the channels of NCHW, F32 and F64. */
final class CpuBatchNorm {
    private CpuBatchNorm() {}

    static void train(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                      double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) { throw new UnsupportedOperationException("not implemented yet"); }

    static void eval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) { throw new UnsupportedOperationException("not implemented yet"); }

    static void trainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                              Tensor gx, Tensor ggamma, Tensor gbeta) { throw new UnsupportedOperationException("not implemented yet"); }
}
