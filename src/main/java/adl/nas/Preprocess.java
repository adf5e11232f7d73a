package adl.nas;

import adl.autograd.ElementwiseOps;
import adl.autograd.ResizeOps;
import adl.memory.Scope;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

/**
 * Brings a cell input to the node's width C and size (docs/02-search-space.md §3): ReLU first, then
 * <ul>
 *   <li>source at the node's level: 1×1 conv → BN;</li>
 *   <li>source exactly one level finer: 3×3 conv stride 2 padding 1 → BN (the paper's
 *       "stride-2 convolution", ⌈h/2⌉);</li>
 *   <li>otherwise (coarser, or two or more levels finer): bilinear resize to the node's exact
 *       size (align_corners false) → 1×1 conv → BN.</li>
 * </ul>
 * x: [N, Cin, h, w] → [N, C, H, W]. BN without affine (inside a cell).
 */
public final class Preprocess extends Module {
    enum Kind { SAME, STRIDE2, RESIZE }

    private final Kind kind;
    private final Conv2d conv;
    private final BatchNorm2d bn;

    /** Level −1 is the rate-2 stem tensor. */
    public Preprocess(Init init, int inChannels, int fromLevel, int toLevel, int channels) {
        kind = fromLevel == toLevel ? Kind.SAME : fromLevel == toLevel - 1 ? Kind.STRIDE2 : Kind.RESIZE;
        conv = registerModule("conv", kind == Kind.STRIDE2
                ? Conv2d.of(inChannels, channels, 3).stride(2).padding(1).bias(false).build(init)
                : Conv2d.pointwise(inChannels, channels).bias(false).build(init));
        bn = registerModule("bn", BatchNorm2d.of(channels).affine(false).build(init));
    }

    /** x → [N, C, height, width]; height/width are the node's exact size. */
    public Tensor forward(Tensor x, int height, int width) {
        // the intermediates are closed with the scope; their memory lives on where backward saved it
        try (Scope pre = Scope.open()) {
            Tensor y = ElementwiseOps.relu(x);
            if (kind == Kind.RESIZE && (y.dim(2) != height || y.dim(3) != width)) y = ResizeOps.bilinear(y, height, width, false);
            y = bn.forward(conv.forward(y));
            if (y.dim(2) != height || y.dim(3) != width) {
                throw new IllegalStateException("preprocessing gave " + y.shape() + ", the node is " + height + "x" + width);
            }
            return pre.keep(y);
        }
    }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Preprocess needs the node size: forward(x, height, width)");
    }
}
