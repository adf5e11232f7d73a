package adl.nn;

import adl.tensor.Tensor;

/**
 * DARTS's dilated separable convolution (dil_conv_kxk in the search space): ReLU → depthwise
 * k×k with dilation 2 (padding 2·(k/2), size kept) → pointwise 1×1 → BN.
 * x: [N, C, H, W] → [N, C, H, W]. (The retrained network uses an ordinary dilated conv instead.)
 */
public final class DilConv extends Module {
    private final Sequential op;

    public DilConv(Init init, int channels, int kernel, boolean affine) {
        int dilation = 2, pad = dilation * (kernel / 2);
        op = registerModule("op", new Sequential(
                new ReLU(),
                new Conv2d(init, channels, channels, kernel, 1, pad, dilation, channels, false),
                new Conv2d(init, channels, channels, 1, 1, 0, 1, 1, false),
                new BatchNorm2d(init, channels, 1e-5, 0.1, affine)));
    }

    @Override public Tensor forward(Tensor x) { return op.forward(x); }
}
