package adl.autograd;

import adl.backend.Tensors;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/** Differentiable sums and means over axes. Backward: the gradient is broadcast back (÷ count for mean). */
public final class ReduceOps {
    private ReduceOps() {}

    /** Sum over {@code axes}; keepDims keeps them as size 1. No axes = all. */
    public static Tensor sum(Tensor x, boolean keepDims, int... axes) {
        Shape kept = reducedShape(x.shape(), axes);
        Tensor y = Tensors.emptyLike(x, kept);
        ElementwiseOps.be(x).sumTo(x, y);
        if (Node.wanted(x)) {
            new Node("sum", x) {
                @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                    return new Tensor[] {ShapeOps.broadcastRaw(ShapeOps.reshapeRaw(g, kept), x.shape())};
                }
            }.attach(y);
        }
        return keepDims ? y : ShapeOps.reshape(y, dropAxes(x.shape(), axes));
    }

    /** Mean over {@code axes}; no axes = all. */
    public static Tensor mean(Tensor x, boolean keepDims, int... axes) {
        Shape kept = reducedShape(x.shape(), axes);
        double count = (double) x.numel() / kept.numel();
        return ElementwiseOps.mulScalar(sum(x, keepDims, axes), 1.0 / count);
    }

    /** Sum of every element, shape [1]. */
    public static Tensor sumAll(Tensor x) { return ShapeOps.reshape(sum(x, true), Shape.of(1)); }

    /** Mean of every element, shape [1]. */
    public static Tensor meanAll(Tensor x) { return ShapeOps.reshape(mean(x, true), Shape.of(1)); }

    static Shape reducedShape(Shape s, int... axes) {
        int[] d = s.dims();
        if (axes.length == 0) {
            java.util.Arrays.fill(d, 1);
        } else {
            for (int a : axes) d[s.normalizeAxis(a)] = 1;
        }
        return Shape.of(d);
    }

    static Shape dropAxes(Shape s, int... axes) {
        boolean[] drop = new boolean[s.rank()];
        if (axes.length == 0) java.util.Arrays.fill(drop, true);
        for (int a : axes) drop[s.normalizeAxis(a)] = true;
        int[] d = s.dims();
        int n = 0;
        for (int i = 0; i < d.length; i++) if (!drop[i]) n++;
        int[] out = new int[n];
        for (int i = 0, k = 0; i < d.length; i++) if (!drop[i]) out[k++] = d[i];
        return Shape.of(out);
    }

}
