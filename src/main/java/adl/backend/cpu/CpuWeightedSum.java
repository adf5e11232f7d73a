package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** The weighted sum out = Σ_k w_k · x_k and its backward (DESIGN §6), F32 and F64. */
final class CpuWeightedSum {
    private CpuWeightedSum() {}

    static void forward(Tensor[] xs, Tensor w, Tensor out) { throw new UnsupportedOperationException("not implemented yet"); }

    static void backward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) { throw new UnsupportedOperationException("not implemented yet"); }
}
