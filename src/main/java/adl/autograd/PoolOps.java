package adl.autograd;

import adl.backend.Device;
import adl.backend.PoolParams;
import adl.backend.Tensors;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Differentiable 2-D pooling over NCHW (PyTorch max_pool2d / avg_pool2d, floor mode).
 * Max pool: the gradient goes to the first maximum of each window. Avg pool: each window
 * spreads g / divisor over its pixels. Global average pool: the mean over H and W.
 */
public final class PoolOps {
    private PoolOps() {}

    /** x [N, C, H, W] -> [N, C, Ho, Wo], Ho = p.outSize(H). */
    public static Tensor maxPool2d(Tensor x, PoolParams p) {
        Tensor cx = Tensors.contiguous(x);
        Tensor y = Tensors.emptyLike(x, outShape(x, p, "maxPool2d"));
        Device.backendOf(x).maxPoolForward(cx, p, y);
        if (!Node.wanted(x)) return y;
        return new Node("max_pool2d", x) {
            final Tensor sx = save(cx);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gc = Tensors.contiguous(g);
                Tensor gx = Tensors.emptyLike(sx);
                backend().maxPoolBackward(sx, gc, p, gx);
                gc.close();
                return new Tensor[] {gx};
            }
        }.attach(y);
    }

    /** x [N, C, H, W] -> [N, C, Ho, Wo]; divisor per p.countIncludePad() (DARTS: false). */
    public static Tensor avgPool2d(Tensor x, PoolParams p) {
        Tensor cx = Tensors.contiguous(x);
        Tensor y = Tensors.emptyLike(x, outShape(x, p, "avgPool2d"));
        Device.backendOf(x).avgPoolForward(cx, p, y);
        cx.close();
        if (!Node.wanted(x)) return y;
        return new Node("avg_pool2d", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gc = Tensors.contiguous(g);
                Tensor gx = Tensors.emptyLike(g, x.shape());
                backend().avgPoolBackward(gc, p, gx);
                gc.close();
                return new Tensor[] {gx};
            }
        }.attach(y);
    }

    /** x [N, C, H, W] -> [N, C, 1, 1], the mean over H and W (image pooling of ASPP and the heads). */
    public static Tensor globalAvgPool(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("globalAvgPool: x must be [N, C, H, W], got " + x.shape());
        return ReduceOps.mean(x, true, 2, 3);
    }

    private static Shape outShape(Tensor x, PoolParams p, String op) {
        if (x.rank() != 4) throw new IllegalArgumentException(op + ": x must be [N, C, H, W], got " + x.shape());
        int oh = p.outSize(x.dim(2)), ow = p.outSize(x.dim(3));
        if (oh < 1 || ow < 1) throw new IllegalArgumentException(op + ": input " + x.shape() + " too small for " + p);
        return Shape.of(x.dim(0), x.dim(1), oh, ow);
    }
}
