package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** Pixel cross-entropy with an ignore label, F32 and F64. */
final class CpuCrossEntropy {
    private CpuCrossEntropy() {}

    static void forward(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) { throw new UnsupportedOperationException("not implemented yet"); }

    static void backward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) { throw new UnsupportedOperationException("not implemented yet"); }
}
