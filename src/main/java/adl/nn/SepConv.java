package adl.nn;

import adl.tensor.Tensor;

/**
 * DARTS's separable convolution (sep_conv_kxk), applied twice as the paper's search space does:
 * [ReLU → depthwise k×k (padding k/2) → pointwise 1×1 → BN] × 2. x: [N, C, H, W] → [N, C, H, W]
 * (stride 1). No conv biases; BN affine as requested (the search cells use affine = false).
 */
public final class SepConv extends Module {
    private final Sequential op;

    public SepConv(Init init, int channels, int kernel, boolean affine) {
        int pad = kernel / 2;
        op = registerModule("op", new Sequential(
                new ReLU(),
                Conv2d.depthwise(channels, kernel).padding(pad).bias(false).build(init),
                Conv2d.pointwise(channels, channels).bias(false).build(init),
                BatchNorm2d.of(channels).affine(affine).build(init),
                new ReLU(),
                Conv2d.depthwise(channels, kernel).padding(pad).bias(false).build(init),
                Conv2d.pointwise(channels, channels).bias(false).build(init),
                BatchNorm2d.of(channels).affine(affine).build(init)));
    }

    @Override public Tensor forward(Tensor x) { return op.forward(x); }
}
