package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** Softmax and log-softmax along one axis, F32 and F64. */
final class CpuSoftmax {
    private CpuSoftmax() {}

    static void forward(Tensor x, int axis, boolean log, Tensor y) { throw new UnsupportedOperationException("not implemented yet"); }

    static void backward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) { throw new UnsupportedOperationException("not implemented yet"); }
}
