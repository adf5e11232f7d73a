package adl.nas.retrain;

import adl.autograd.ResizeOps;
import adl.autograd.ShapeOps;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

/**
 * The DeepLabv3+ decoder (docs/06-retrain.md §3): the low-level feature (rate 4) → {@code low_level}
 * 1×1 to 48 → BN → ReLU; the ASPP output resized bilinearly to the low-level size; concat
 * [ASPP, low-level] (256 + 48 = 304) → {@code fuse0}, {@code fuse1}: ORDINARY 3×3 convs of 256,
 * each → BN → ReLU. The class logits (1×1 with bias) belong to the network.
 * low: [N, Cl, h4, w4], aspp: [N, A, h, w] → [N, D, h4, w4].
 */
public final class Decoder extends Module {
    private final ConvBn lowLevel, fuse0, fuse1;

    Decoder(Init init, FixedNetwork.Config cfg, int lowChannels) {
        FixedNetwork.Widths w = cfg.widths();
        lowLevel = registerModule("low_level", new ConvBn(init, cfg, lowChannels, w.lowLevel(), 1, 1, 1, true));
        fuse0 = registerModule("fuse0", new ConvBn(init, cfg, w.aspp() + w.lowLevel(), w.decoder(), 3, 1, 1, true));
        fuse1 = registerModule("fuse1", new ConvBn(init, cfg, w.decoder(), w.decoder(), 3, 1, 1, true));
    }

    public Tensor forward(Tensor low, Tensor aspp) {
        Tensor l = lowLevel.forward(low);
        Tensor a = aspp.dim(2) == l.dim(2) && aspp.dim(3) == l.dim(3) ? aspp : ResizeOps.bilinear(aspp, l.dim(2), l.dim(3), false);
        return fuse1.forward(fuse0.forward(ShapeOps.concat(1, a, l)));
    }

    /** {@link #forward} in {@code g}; {@code resize} when the ASPP output lies at another level than the low-level feature. */
    String emit(GraphSink g, String low, String aspp, boolean resize) {
        String l = lowLevel.emit(g, low);
        String a = resize ? g.resizeLike(aspp, l) : aspp;
        return fuse1.emit(g, fuse0.emit(g, g.concat(a, l)));
    }

    /** Shape-only twin: low-level and ASPP shapes → decoder output shape. */
    int[] trace(int[] low, int[] aspp, Cost cost) {
        int[] l = lowLevel.trace(low, cost);
        int[] s = fuse0.trace(new int[] {aspp[0] + l[0], l[1], l[2]}, cost);
        return fuse1.trace(s, cost);
    }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Decoder needs the low-level feature and the ASPP output: forward(low, aspp)");
    }
}
