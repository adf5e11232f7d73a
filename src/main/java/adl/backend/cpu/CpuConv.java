package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** 2-D convolution forward and backward (im2col + GEMM; direct loops for depthwise), F32 and F64. */
final class CpuConv {
    private CpuConv() {}

    static void forward(Tensor x, Tensor w, ConvParams p, Tensor y) { throw new UnsupportedOperationException("not implemented yet"); }

    static void backwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) { throw new UnsupportedOperationException("not implemented yet"); }

    static void backwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) { throw new UnsupportedOperationException("not implemented yet"); }
}
