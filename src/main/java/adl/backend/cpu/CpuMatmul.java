package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** Matrix products (2-D and batched 3-D), F32 and F64. */
final class CpuMatmul {
    private CpuMatmul() {}

    static void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) { throw new UnsupportedOperationException("not implemented yet"); }
}
