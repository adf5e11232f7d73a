package adl.nas;

import adl.memory.Scope;
import adl.autograd.Recompute;
import adl.autograd.WeightedSumOps;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.List;

/**
 * One edge of a search cell (paper Eq. 2): ō(x) = Σ_k softmax(α_e)_k · o_k(x) over the K ops of
 * a {@link SearchSpace}. 'none' contributes zero and is never computed: the sum runs over the
 * space's computed ops ({@link SearchSpace#computed}, K − 1 = 7 in the paper's space), with their
 * weights taken from the softmax over all K (so 'none' still takes its share).
 * x: [N, C, H, W] → [N, C, H, W].
 */
public final class MixedOp extends Module {
    /** The computed ops' branches, in α column order; null where the op is the identity (skip_connect). */
    private final Module[] ops;
    private boolean recompute;
    private List<Tensor> params;

    /** One branch per computed op of {@code space}, registered under the op's paper name (the state-dict key). */
    public MixedOp(Init init, SearchSpace space, int channels) {
        List<Primitive> computed = space.computed();
        ops = new Module[computed.size()];
        for (int k = 0; k < ops.length; k++) {
            Primitive p = computed.get(k);
            Module branch = p.searchBranch(init, channels);
            ops[k] = branch == null ? null : registerModule(p.paperName(), branch);
        }
    }

    /** The paper's eight ops ({@link SearchSpace#PAPER}). */
    public MixedOp(Init init, int channels) { this(init, SearchSpace.PAPER, channels); }

    /**
     * @param x the edge's input state
     * @param w [K']: softmax(α_e) at the computed ops' columns (without 'none'), K' = {@link SearchSpace#computed}().size()
     */
    public Tensor forward(Tensor x, Tensor w) {
        if (recompute) {
            if (params == null) params = List.copyOf(parameters());
            return Recompute.apply("mixed_op", in -> branches(in[0], in[1]), params, x, w);
        }
        return branches(x, w);
    }

    /**
     * Recompute mode (memory for time): the branch outputs and their intermediates are not kept
     * for backward but computed again there ({@link Recompute}); one forward of the op more per
     * backward. The same bits as storing them (docs/01-tensors-and-autograd.md §8).
     */
    public void setRecompute(boolean on) { recompute = on; }

    public boolean recompute() { return recompute; }

    private Tensor branches(Tensor x, Tensor w) {
        // the branch outputs close with the scope: they live on only where the weighted sum's backward saved them (for dL/dw)
        try (Scope edge = Scope.open()) {
            Tensor[] outs = new Tensor[ops.length];
            for (int k = 0; k < ops.length; k++) outs[k] = ops[k] == null ? x : ops[k].forward(x);
            return edge.keep(WeightedSumOps.weightedSum(outs, w));
        }
    }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("MixedOp needs its op weights: forward(x, w)");
    }
}
