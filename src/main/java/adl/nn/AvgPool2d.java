package adl.nn;

import adl.autograd.PoolOps;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/**
 * torch.nn.AvgPool2d (square window, floor mode): x [N, C, H, W] -> [N, C, Ho, Wo]. The divisor
 * counts padded positions when {@code countIncludePad} (PyTorch's default true; DARTS uses false).
 */
public final class AvgPool2d extends Module {
    private final PoolParams params;

    public AvgPool2d(int kernel, int stride, int padding, boolean countIncludePad) {
        this.params = new PoolParams(kernel, stride, padding, countIncludePad);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("AvgPool2d expects x [N, C, H, W], got " + x.shape());
        return PoolOps.avgPool2d(x, params);
    }

    public PoolParams poolParams() { return params; }
}
