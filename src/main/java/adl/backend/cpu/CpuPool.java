package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** Max and average pooling, F32 and F64. */
final class CpuPool {
    private CpuPool() {}

    static void maxForward(Tensor x, PoolParams p, Tensor y) { throw new UnsupportedOperationException("not implemented yet"); }

    static void maxBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) { throw new UnsupportedOperationException("not implemented yet"); }

    static void avgForward(Tensor x, PoolParams p, Tensor y) { throw new UnsupportedOperationException("not implemented yet"); }

    static void avgBackward(Tensor gy, PoolParams p, Tensor gx) { throw new UnsupportedOperationException("not implemented yet"); }
}
