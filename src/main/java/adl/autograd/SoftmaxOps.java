package adl.autograd;

import adl.backend.Tensors;
import adl.tensor.Tensor;

/**
 * Differentiable softmax and log-softmax along one axis (PyTorch {@code F.softmax} /
 * {@code F.log_softmax}). Backward from the saved output y:
 * <pre>
 *   softmax:     gx = y · (g - Σ_axis g·y)
 *   log-softmax: gx = g - exp(y) · Σ_axis g
 * </pre>
 */
public final class SoftmaxOps {
    private SoftmaxOps() {}

    /** softmax(x) along {@code axis} (negative counts from the end); same shape as x. */
    public static Tensor softmax(Tensor x, int axis) { return op(x, axis, false); }

    /** log(softmax(x)) along {@code axis}, computed stably; same shape as x. */
    public static Tensor logSoftmax(Tensor x, int axis) { return op(x, axis, true); }

    private static Tensor op(Tensor x, int axis, boolean log) {
        int a = x.shape().normalizeAxis(axis);
        Tensor cx = x.isContiguous() ? x : Tensors.contiguousCopy(x);
        Tensor y = Tensors.emptyLike(x);
        ElementwiseOps.be(x).softmax(cx, a, log, y);
        if (cx != x) cx.close();
        if (!Node.wanted(x)) return y;
        return new Node(log ? "log_softmax" : "softmax", x) {
            final Tensor sy = save(y);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor cg = g.isContiguous() ? g : Tensors.contiguousCopy(g);
                Tensor gx = Tensors.emptyLike(sy);
                backend().softmaxBackward(sy, cg, a, log, gx);
                return new Tensor[] {gx};
            }
        }.attach(y);
    }
}
