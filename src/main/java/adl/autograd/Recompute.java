package adl.autograd;

import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Activation recomputation (what PyTorch calls torch.utils.checkpoint): {@code y = f(inputs)} is
 * computed without recording, and only the inputs are saved; the backward rule runs f again with
 * recording on, back-propagates dL/dy through that fresh graph, and frees it. Memory: f's intermediates
 * live only during the backward of this one node. Time: f runs twice.
 *
 * <p>Contract for f: deterministic (the recomputation gives bitwise the forward's values, true of
 * every CPU primitive), and it may read leaves other than its inputs only from {@code params}.
 * Gradients for {@code params} are accumulated straight into their {@code grad()} by the inner
 * pass (each use in the order the outer pass reaches it, as without recomputation); gradients for
 * the inputs are returned to the outer pass. An input's gradient summed so far by the outer pass
 * is handed to the node first and the inner pass adds each use's contribution onto it, so the
 * additions happen in the stored path's association (bitwise the same gradients where the inner
 * pass visits the uses in the stored pass's order).
 * Modules with side effects in forward (BatchNorm's running statistics) skip them while
 * {@link #recomputing()} is true.
 */
public final class Recompute {
    private static final ThreadLocal<Boolean> RECOMPUTING = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private Recompute() {}

    /** True while a backward rule re-runs a recomputed function on this thread. */
    public static boolean recomputing() { return RECOMPUTING.get(); }

    /**
     * Sets this thread's recomputing flag until the returned mark is closed: a task that runs part
     * of a recomputation on another thread ({@link ParallelBranches}) carries its caller's flag.
     */
    public static Mark mark(boolean on) {
        boolean before = RECOMPUTING.get();
        RECOMPUTING.set(on);
        return new Mark(before);
    }

    /** Restores the recomputing flag that was in force when it was made. */
    public static final class Mark implements AutoCloseable {
        private final boolean before;

        private Mark(boolean before) { this.before = before; }

        @Override public void close() { RECOMPUTING.set(before); }
    }

    /**
     * @param name   the node's name (error messages)
     * @param f      the function; gets handles of {@code inputs} (same values) and returns a new tensor
     * @param params the leaves f reads besides its inputs (weights)
     */
    public static Tensor apply(String name, Function<Tensor[], Tensor> f, List<Tensor> params, Tensor... inputs) {
        boolean record = Node.wanted(inputs);
        if (!record && GradMode.isEnabled()) for (Tensor p : params) record |= p.requiresGrad();
        if (!record) return f.apply(inputs);
        Tensor y;
        try (GradMode.Guard off = GradMode.off()) {
            y = f.apply(inputs);
        }
        int n = inputs.length;
        Tensor[] nodeInputs = new Tensor[n + params.size()];
        System.arraycopy(inputs, 0, nodeInputs, 0, n);
        for (int i = 0; i < params.size(); i++) nodeInputs[n + i] = params.get(i);
        return new Node(name, nodeInputs) {
            final Tensor[] saved = saveAll(inputs);
            Tensor[] partial;

            @Override boolean continuesInputSums() { return true; }

            @Override void partialSums(Tensor[] p) { partial = p; }

            private Tensor[] saveAll(Tensor[] xs) {
                Tensor[] s = new Tensor[xs.length];
                for (int i = 0; i < xs.length; i++) s[i] = save(xs[i]);
                return s;
            }

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor[] out = new Tensor[needs.length];
                try (Scope s = Scope.open(); GradMode.Guard on = GradMode.on()) {
                    Tensor[] xs = new Tensor[n];
                    List<Tensor> leaves = new ArrayList<>();
                    java.util.Map<Tensor, Tensor> sumsSoFar = new java.util.IdentityHashMap<>();
                    for (int i = 0; i < n; i++) {
                        Tensor x = saved[i];
                        xs[i] = Tensors.view(x, x.shape(), x.strides(), x.offset()).requiresGrad(needs[i]);
                        if (needs[i]) leaves.add(xs[i]);
                        // the outer sum so far: the inner pass adds each use's gradient onto it in turn
                        if (needs[i] && partial != null && partial[i] != null) sumsSoFar.put(xs[i], partial[i]);
                    }
                    for (int i = 0; i < params.size(); i++) if (needs[n + i]) leaves.add(params.get(i));
                    Tensor y2;
                    try (Mark m = mark(true)) {
                        y2 = f.apply(xs);
                    }
                    Autograd.backward(y2, g, leaves, sumsSoFar);
                    for (int i = 0; i < n; i++) {
                        if (!needs[i]) continue;
                        out[i] = xs[i].grad(); // a leaf gradient: owned by nobody, handed to the outer pass
                        xs[i].setGrad(null);
                        Tensor like = saved[i];
                        if (out[i] == null) out[i] = Scope.untracked(() -> Tensors.zerosLike(like));
                    }
                }
                return out;
            }
        }.attach(y);
    }
}
