package adl.nas;

import adl.autograd.ParallelBranches;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

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
    /** The computed branches in the order their tasks start: the costliest first ({@link #cost}). */
    private final int[] schedule;
    private boolean recompute;
    /** The branches as ParallelBranches runs them (made at the first forward, when the parameters are final). */
    private ParallelBranches.Branches branches;

    /** One branch per computed op of {@code space}, registered under the op's paper name (the state-dict key). */
    public MixedOp(Init init, SearchSpace space, int channels) {
        List<Primitive> computed = space.computed();
        ops = new Module[computed.size()];
        for (int k = 0; k < ops.length; k++) {
            Primitive p = computed.get(k);
            Module branch = p.searchBranch(init, channels);
            ops[k] = branch == null ? null : registerModule(p.paperName(), branch);
        }
        schedule = IntStream.range(0, ops.length).filter(k -> ops[k] != null).boxed()
                .sorted(Comparator.comparingInt((Integer k) -> -cost(computed.get(k)))).mapToInt(Integer::intValue).toArray();
    }

    /**
     * An op's relative cost in the search step (forward, recomputation and backward of one branch),
     * for the task order only: measured at crop 64 on one thread, separable 5×5 : separable 3×3 :
     * dilated 5×5 : max pool : dilated 3×3 : avg pool ≈ 5.2 : 3.5 : 2.7 : 1.9 : 1.8 : 1.2 (the max
     * pool's backward and its BN make it dearer than the 3×3 dilated conv).
     */
    private static int cost(Primitive p) {
        int k2 = p.kernel() * p.kernel();
        return switch (p.family()) {
            case SEP_CONV -> 2 * k2 + 30;
            case DIL_CONV -> k2 + 15;
            case MAX_POOL -> 30;
            case AVG_POOL -> 18;
            case ZERO, IDENTITY -> 0;
        };
    }

    /** The paper's eight ops ({@link SearchSpace#PAPER}). */
    public MixedOp(Init init, int channels) { this(init, SearchSpace.PAPER, channels); }

    /**
     * @param x the edge's input state
     * @param w [K']: softmax(α_e) at the computed ops' columns (without 'none'), K' = {@link SearchSpace#computed}().size()
     */
    public Tensor forward(Tensor x, Tensor w) {
        return ParallelBranches.apply(branches(), recompute, x, w, BranchTasks.forInput(x));
    }

    /**
     * Several MixedOps at once, ops[i] on xs[i] with weights ws[i] (the edges into one block,
     * Eq. 1): all their branches are the tasks of one job. The same values as forward, edge by edge.
     */
    public static Tensor[] forwardAll(MixedOp[] ops, Tensor[] xs, Tensor[] ws) {
        List<ParallelBranches.Edge> edges = new ArrayList<>();
        for (int i = 0; i < ops.length; i++) edges.add(new ParallelBranches.Edge(ops[i].branches(), ops[i].recompute, xs[i], ws[i]));
        return ParallelBranches.applyAll(edges, BranchTasks.forInput(xs[0]));
    }

    private ParallelBranches.Branches branches() {
        if (branches == null) {
            @SuppressWarnings("unchecked")
            UnaryOperator<Tensor>[] f = new UnaryOperator[ops.length];
            List<List<Tensor>> params = new ArrayList<>();
            for (int k = 0; k < ops.length; k++) {
                Module op = ops[k];
                if (op != null) f[k] = op::forward;
                params.add(op == null ? List.of() : List.copyOf(op.parameters()));
            }
            branches = new ParallelBranches.Branches(f, List.copyOf(params), schedule);
        }
        return branches;
    }

    /**
     * Recompute mode (memory for time): the branch outputs and their intermediates are not kept
     * for backward but computed again there ({@link ParallelBranches}); one forward of the op more per
     * backward. The same bits as storing them (docs/01-tensors-and-autograd.md §8).
     */
    public void setRecompute(boolean on) { recompute = on; }

    public boolean recompute() { return recompute; }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("MixedOp needs its op weights: forward(x, w)");
    }
}
