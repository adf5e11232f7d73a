package adl.autograd;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Differentiable 2-D convolution, PyTorch {@code F.conv2d(x, w, bias, stride, padding, dilation, groups)}.
 * <pre>
 *   y  = conv2d(x, w) + bias[co]        x [N, Cin, H, W], w [Cout, Cin/groups, kh, kw], y [N, Cout, Ho, Wo]
 *   gx = conv2dBackwardData(gy, w)      gw = conv2dBackwardFilter(x, gy)      gbias = Σ_{n, oh, ow} gy
 * </pre>
 */
public final class ConvOps {
    private ConvOps() {}

    /** y = conv2d(x, w) (+ bias, which may be null, shape [Cout]). Non-contiguous inputs are copied. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvParams p) {
        Shape ys = outputShape(x, w, bias, p);
        Backend be = Device.backendOf(x);
        Tensor cx = Tensors.contiguous(x), cw = Tensors.contiguous(w);
        Tensor y = Tensors.emptyLike(x, ys);
        be.conv2dForward(cx, cw, p, y);
        if (bias != null) {
            Tensor b4 = ShapeOps.reshapeRaw(bias, Shape.of(1, ys.dim(1), 1, 1));
            be.binary(BinaryOp.ADD, y, b4, y);
            b4.close();
        }
        if (!Node.wanted(x, w, bias)) {
            cx.close();
            cw.close();
            return y;
        }
        return new Node("conv2d", x, w, bias) {
            final Tensor sx = w.requiresGrad() ? save(cx) : null;
            final Tensor sw = x.requiresGrad() ? save(cw) : null;

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor cg = Tensors.contiguous(g);
                Tensor gx = null, gw = null, gb = null;
                if (needs[0]) {
                    gx = Tensors.emptyLike(g, x.shape());
                    backend().conv2dBackwardData(cg, sw, p, gx);
                }
                if (needs[1]) {
                    gw = Tensors.emptyLike(g, w.shape());
                    backend().conv2dBackwardFilter(sx, cg, p, gw);
                }
                if (needs.length > 2 && needs[2]) {
                    Tensor gb4 = Tensors.emptyLike(g, Shape.of(1, ys.dim(1), 1, 1));
                    backend().sumTo(cg, gb4);
                    gb = ShapeOps.reshapeRaw(gb4, bias.shape());
                    gb4.close();
                }
                cg.close();
                return new Tensor[] {gx, gw, gb};
            }
        }.attach(y);
    }

    /** [N, Cout, Ho, Wo] for x [N, Cin, H, W] and w [Cout, Cin/groups, kh, kw]; fails naming the shapes. */
    static Shape outputShape(Tensor x, Tensor w, Tensor bias, ConvParams p) {
        if (x.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException("conv2d: x " + x.shape() + " and w " + w.shape() + " must be 4-D (NCHW, [Cout, Cin/groups, kh, kw])");
        }
        int g = p.groups(), cin = x.dim(1), cout = w.dim(0);
        if (cin % g != 0 || cout % g != 0 || w.dim(1) != cin / g) {
            throw new IllegalArgumentException("conv2d: x " + x.shape() + " and w " + w.shape() + " do not fit groups = " + g);
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != cout)) {
            throw new IllegalArgumentException("conv2d: bias " + bias.shape() + " must be [" + cout + "] for w " + w.shape());
        }
        if (x.dtype() != w.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException("conv2d: dtypes differ: x " + x.describe() + ", w " + w.describe());
        }
        int ho = p.outH(x.dim(2), w.dim(2)), wo = p.outW(x.dim(3), w.dim(3));
        if (ho < 1 || wo < 1) {
            throw new IllegalArgumentException("conv2d: x " + x.shape() + " is too small for w " + w.shape() + " with " + p);
        }
        return Shape.of(x.dim(0), cout, ho, wo);
    }
}
