package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Differentiable bilinear resize (PyTorch F.interpolate(mode='bilinear', size=(outH, outW))).
 * Backward: each output's gradient is added to its four source taps with the forward weights.
 * Auto-DeepLab resamples with align_corners = false to the exact destination size (docs/02-search-space.md §5).
 */
public final class ResizeOps {
    private ResizeOps() {}

    /** x [N, C, H, W] -> [N, C, outH, outW]. */
    public static Tensor bilinear(Tensor x, int outH, int outW, boolean alignCorners) {
        if (x.rank() != 4) throw new IllegalArgumentException("bilinear: x must be [N, C, H, W], got " + x.shape());
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("bilinear: output size " + outH + "x" + outW + " for x " + x.shape());
        Tensor cx = Tensors.contiguous(x);
        Tensor y = Tensors.emptyLike(x, Shape.of(x.dim(0), x.dim(1), outH, outW));
        Device.backendOf(x).resizeBilinear(cx, alignCorners, y);
        cx.close();
        if (!Node.wanted(x)) return y;
        return new Node("bilinear", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gc = Tensors.contiguous(g);
                Tensor gx = Tensors.emptyLike(g, x.shape());
                backend().resizeBilinearBackward(gc, alignCorners, gx);
                gc.close();
                return new Tensor[] {gx};
            }
        }.attach(y);
    }
}
