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
    private final UnaryOperator<Tensor>[] branches;
    private boolean recompute;
    private List<List<Tensor>> params;

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
        @SuppressWarnings("unchecked")
        UnaryOperator<Tensor>[] fs = new UnaryOperator[ops.length];
        for (int k = 0; k < ops.length; k++) if (ops[k] != null) fs[k] = ops[k]::forward;
        branches = fs;
    }

    /** A rank of an op's cost, for the task order only: separable > dilated > pools, larger kernels first. */
    private static int cost(Primitive p) {
        int family = switch (p.family()) {
            case SEP_CONV -> 3;
            case DIL_CONV -> 2;
            default -> 1;
        };
        return family * 100 + p.kernel();
    }

    /** The paper's eight ops ({@link SearchSpace#PAPER}). */
    public MixedOp(Init init, int channels) { this(init, SearchSpace.PAPER, channels); }

    /**
     * @param x the edge's input state
     * @param w [K']: softmax(α_e) at the computed ops' columns (without 'none'), K' = {@link SearchSpace#computed}().size()
     */
    public Tensor forward(Tensor x, Tensor w) {
        if (params == null) {
            List<List<Tensor>> ps = new ArrayList<>();
            for (Module op : ops) ps.add(op == null ? List.of() : List.copyOf(op.parameters()));
            params = List.copyOf(ps);
        }
        return ParallelBranches.apply(branches, params, schedule, recompute, x, w, BranchTasks.forInput(x));
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
