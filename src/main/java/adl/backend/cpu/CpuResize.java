package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** Bilinear resize (PyTorch interpolate, both align_corners modes), F32 and F64. */
final class CpuResize {
    private CpuResize() {}

    static void forward(Tensor x, boolean alignCorners, Tensor y) { throw new UnsupportedOperationException("not implemented yet"); }

    static void backward(Tensor gy, boolean alignCorners, Tensor gx) { throw new UnsupportedOperationException("not implemented yet"); }
}
