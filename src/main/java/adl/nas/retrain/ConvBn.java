package adl.nas.retrain;

import adl.autograd.ElementwiseOps;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

/**
 * conv (no bias) → BN (affine) → optional ReLU, the unit of the retrain stem, input
 * preparation, ASPP and decoder (docs/06-retrain.md §2: "no convolution has a bias except the final logits;
 * every BN has scale and offset"). State names: {@code conv.weight}, {@code bn.weight},
 * {@code bn.bias}, {@code bn.running_mean}, ... x: [N, in, H, W] → [N, out, Ho, Wo].
 */
final class ConvBn extends Module {
    private final Conv2d conv;
    private final BatchNorm2d bn;
    private final boolean relu;

    ConvBn(Init init, FixedNetwork.Config cfg, int in, int out, int kernel, int stride, int dilation, boolean relu) {
        int pad = dilation * (kernel / 2);
        conv = registerModule("conv", Conv2d.of(in, out, kernel).stride(stride).padding(pad).dilation(dilation).bias(false).build(init));
        bn = registerModule("bn", cfg.batchNorm(init, out));
        this.relu = relu;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = bn.forward(conv.forward(x));
        return relu ? ElementwiseOps.relu(y) : y;
    }

    /** The same computation as {@link #forward} in {@code g} (eval mode). */
    String emit(GraphSink g, String x) {
        String y = g.batchNorm(g.conv(x, conv), bn);
        return relu ? g.relu(y) : y;
    }

    /** chw: [C, H, W] of the input → that of the output. */
    int[] trace(int[] chw, Cost cost) {
        int[] out = cost.conv(conv, chw[1], chw[2]);
        cost.bn(bn);
        return out;
    }

    int outChannels() { return conv.outChannels(); }
}
