package adl.nn;

import adl.autograd.PoolOps;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** torch.nn.MaxPool2d (square window, floor mode): x [N, C, H, W] -> [N, C, Ho, Wo], Ho = (H + 2p - k)/s + 1. */
public final class MaxPool2d extends Module {
    private final PoolParams params;

    public MaxPool2d(int kernel, int stride, int padding) { this.params = new PoolParams(kernel, stride, padding, false); }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("MaxPool2d expects x [N, C, H, W], got " + x.shape());
        return PoolOps.maxPool2d(x, params);
    }

    public PoolParams poolParams() { return params; }
}
