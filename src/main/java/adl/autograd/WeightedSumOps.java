package adl.autograd;

import adl.backend.Tensors;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.Arrays;

/**
 * The differentiable weighted sum out = Σ_k w_k · x_k (docs/02-search-space.md §2, docs/05c-kernels.md §2): a MixedOp with w a row of
 * softmax(α), or a trellis node with w from β. Backward: gx_k = w_k · g, gw_k = Σ_i g_i · x_{k,i}
 * (a deterministic two-stage reduction in the backend). Only the wanted gradients are computed:
 * the architecture step pays nothing for gx_k when it asks for α and β alone.
 */
public final class WeightedSumOps {
    private WeightedSumOps() {}

    /** xs: K ≥ 1 tensors of one shape and dtype; w: [K] of that dtype. Returns a tensor of xs' shape. */
    public static Tensor weightedSum(Tensor[] xs, Tensor w) {
        int k = xs.length;
        if (k == 0) throw new IllegalArgumentException("weightedSum: no input tensors");
        if (w.rank() != 1 || w.dim(0) != k) {
            throw new IllegalArgumentException("weightedSum: weights " + w.describe() + " must be [" + k + "] for " + k + " inputs");
        }
        Shape shape = xs[0].shape();
        Tensor[] cxs = new Tensor[k];
        for (int i = 0; i < k; i++) {
            if (!xs[i].shape().equals(shape) || xs[i].dtype() != xs[0].dtype()) {
                throw new IllegalArgumentException("weightedSum: xs[" + i + "] " + xs[i].describe() + " differs from xs[0] " + xs[0].describe());
            }
            cxs[i] = xs[i].isContiguous() ? xs[i] : Tensors.contiguousCopy(xs[i]);
        }
        Tensor out = Tensors.emptyLike(xs[0]);
        ElementwiseOps.be(xs[0]).weightedSum(cxs, w, out);
        Tensor[] inputs = Arrays.copyOf(xs, k + 1);
        inputs[k] = w;
        if (!Node.wanted(inputs)) {
            closeCopies(cxs, xs);
            return out;
        }
        boolean anyX = false;
        for (Tensor x : xs) anyX |= x.requiresGrad();
        boolean keepX = w.requiresGrad(), keepW = anyX;
        if (!keepX) closeCopies(cxs, xs);
        return new Node("weighted_sum", inputs) {
            final Tensor[] sxs = keepX ? saveAll(cxs) : null;
            final Tensor sw = keepW ? save(w) : null;

            private Tensor[] saveAll(Tensor[] ts) {
                for (Tensor t : ts) save(t);
                return ts;
            }

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor cg = g.isContiguous() ? g : Tensors.contiguousCopy(g);
                Tensor[] grads = new Tensor[k + 1];
                boolean anyGx = false;
                for (int i = 0; i < k; i++) {
                    if (needs[i]) { grads[i] = Tensors.emptyLike(cg); anyGx = true; }
                }
                if (needs[k]) grads[k] = Tensors.emptyLike(w, w.shape());
                backend().weightedSumBackward(needs[k] ? sxs : cxs, anyGx ? sw : w, cg, Arrays.copyOf(grads, k), grads[k]);
                return grads;
            }
        }.attach(out);
    }

    private static void closeCopies(Tensor[] copies, Tensor[] originals) {
        for (int i = 0; i < copies.length; i++) if (copies[i] != originals[i]) copies[i].close();
    }
}
