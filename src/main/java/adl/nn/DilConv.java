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
                Conv2d.depthwise(channels, kernel).padding(pad).dilation(dilation).bias(false).build(init),
                Conv2d.pointwise(channels, channels).bias(false).build(init),
                BatchNorm2d.of(channels).affine(affine).build(init)));
    }

    @Override public Tensor forward(Tensor x) { return op.forward(x); }
}
