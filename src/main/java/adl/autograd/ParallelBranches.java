package adl.autograd;

import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * y = Σ_k w_k · f_k(x) with the branches f_k computed as independent tasks (a MixedOp, paper Eq. 2;
 * docs/01-tensors-and-autograd.md §8). The caller's {@link Tasks} may run them on several threads:
 * each branch is one task, its own ops run whole on one thread, and every sum across branches is
 * made on the calling thread in a fixed order, so the bits do not depend on which thread ran what.
 *
 * <p>With recomputation (the default of the search) the branches' intermediates are not stored:
 * the node saves x and w, and its backward runs one task per computed branch that (1) recomputes
 * the branch, recording its own graph from its own leaf view of x; (2) takes the branch's share of
 * the weighted sum's backward, dL/d(out_b) = w_b·g and dL/dw_b = Σ g·out_b (the sum's backward
 * treats every branch on its own); (3) back-propagates dL/d(out_b) through the branch, its parameter
 * gradients accumulated straight into their {@code grad()} (no parameter is shared by two
 * branches). On the calling thread it then adds the branches' dL/dx onto the outer pass's sum so
 * far in the order the stored graph's backward adds them — the identity branches in k order (they
 * are inputs of the weighted sum), then the computed branches from the last to the first (reverse
 * topological order) — so the gradients are bitwise those of the stored graph and of
 * {@link Recompute} over the whole sum.
 */
public final class ParallelBranches {
    /** Runs tasks 0..n−1, in any order and on any threads, each with the caller's grad mode and recompute state. */
    public interface Tasks {
        void forEach(int n, IntConsumer task);
    }

    /** The tasks one after another on the calling thread. */
    public static final Tasks SERIAL = (n, task) -> {
        for (int i = 0; i < n; i++) task.accept(i);
    };

    private ParallelBranches() {}

    /**
     * @param f         the branches, x: [N, C, H, W] → [N, C, H, W]; null where a branch is the identity
     * @param params    per branch, the leaves f[k] reads besides x (empty for the identity)
     * @param schedule  the computed branches' indices in the order their tasks are started (the costliest first)
     * @param recompute whether to recompute the branches in backward instead of storing their graphs
     * @param w         [K]: the branches' weights
     */
    public static Tensor apply(UnaryOperator<Tensor>[] f, List<List<Tensor>> params, int[] schedule, boolean recompute,
                               Tensor x, Tensor w, Tasks maybeParallel) {
        // synchronised batch norm's collectives must come in the same order on every rank: one thread
        Tasks tasks = SyncBatchNorm.active() != null ? SERIAL : maybeParallel;
        int k = f.length;
        Tensor[] xs = new Tensor[k];
        java.util.Arrays.fill(xs, x);
        if (!recompute) return weightedSum(f, schedule, xs, w, tasks);
        List<Tensor> flat = new ArrayList<>();
        for (List<Tensor> p : params) flat.addAll(p);
        boolean record = Node.wanted(x, w);
        if (!record && GradMode.isEnabled()) for (Tensor p : flat) record |= p.requiresGrad();
        if (!record) return weightedSum(f, schedule, xs, w, tasks);
        Tensor y;
        try (GradMode.Guard off = GradMode.off()) {
            y = weightedSum(f, schedule, xs, w, tasks);
        }
        Tensor[] nodeInputs = new Tensor[2 + flat.size()];
        nodeInputs[0] = x;
        nodeInputs[1] = w;
        for (int i = 0; i < flat.size(); i++) nodeInputs[2 + i] = flat.get(i);
        return new Node("mixed_op", nodeInputs) {
            final Tensor sx = save(x), sw = save(w);
            Tensor[] partial;

            @Override boolean continuesInputSums() { return true; }

            @Override void partialSums(Tensor[] p) { partial = p; }

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return backwardBranches(f, params, schedule, sx, sw, g, needs, partial, tasks);
            }
        }.attach(y);
    }

    /** The branch outputs as tasks (xs[b]: branch b's input), then Σ_b w_b · out_b on the calling thread. */
    private static Tensor weightedSum(UnaryOperator<Tensor>[] f, int[] schedule, Tensor[] xs, Tensor w, Tasks tasks) {
        boolean[] record = new boolean[f.length];
        java.util.Arrays.fill(record, GradMode.isEnabled());
        Tensor[] outs = outputs(f, schedule, xs, record, tasks);
        // the branch outputs close with the scope: they live on only where the weighted sum's backward saved them (for dL/dw)
        try (Scope edge = Scope.open()) {
            for (int b = 0; b < f.length; b++) if (f[b] != null) Scope.track(outs[b]);
            return edge.keep(WeightedSumOps.weightedSum(outs, w));
        }
    }

    /**
     * outs[b] = f[b](xs[b]) (xs[b] itself for the identity), one task per computed branch, recording
     * b's graph where record[b]. Each task's intermediates close with its own scope; the outputs
     * belong to no scope (the caller takes them over).
     */
    private static Tensor[] outputs(UnaryOperator<Tensor>[] f, int[] schedule, Tensor[] xs, boolean[] record, Tasks tasks) {
        Tensor[] outs = new Tensor[f.length];
        for (int b = 0; b < f.length; b++) if (f[b] == null) outs[b] = xs[b];
        try {
            tasks.forEach(schedule.length, i -> {
                int b = schedule[i];
                outs[b] = Scope.untracked(() -> {
                    try (Scope s = Scope.open(); GradMode.Guard mode = record[b] ? GradMode.on() : GradMode.off()) {
                        return s.keep(f[b].apply(xs[b]));
                    }
                });
            });
        } catch (RuntimeException | Error e) {
            for (int b = 0; b < f.length; b++) if (f[b] != null && outs[b] != null) outs[b].close();
            throw e;
        }
        return outs;
    }

    /** The backward of the class comment; needs: [x, w, every branch's params in branch order]. */
    private static Tensor[] backwardBranches(UnaryOperator<Tensor>[] f, List<List<Tensor>> params, int[] schedule,
                                             Tensor x, Tensor w, Tensor g, boolean[] needs, Tensor[] partial, Tasks tasks) {
        int k = f.length;
        boolean needX = needs[0], needW = needs[1];
        Tensor[] out = new Tensor[needs.length];
        try (Scope s = Scope.open()) {
            Tensor gc = g.isContiguous() ? g : Tensors.contiguousCopy(g);
            Tensor gw = needW ? Tensors.emptyLike(w, w.shape()) : null;
            Tensor[] xs = new Tensor[k], gx = new Tensor[k];
            List<List<Tensor>> leaves = new ArrayList<>();
            for (int b = 0, p = 2; b < k; b++) {
                xs[b] = Tensors.view(x, x.shape(), x.strides(), x.offset()).requiresGrad(needX);
                List<Tensor> l = new ArrayList<>();
                if (needX) l.add(xs[b]);
                for (Tensor param : params.get(b)) if (needs[p++]) l.add(param);
                leaves.add(l);
            }
            // (1) + (2): per branch, its output again, its share of the weighted sum's backward, its graph back to its leaves
            tasks.forEach(schedule.length, i -> {
                int b = schedule[i];
                Scope.untracked(() -> {
                    branchBackward(f[b], xs[b], w, b, gc, gw, leaves.get(b));
                    return null;
                });
                if (needX) {
                    gx[b] = xs[b].grad(); // a leaf gradient: owned by nobody
                    xs[b].setGrad(null);
                }
            });
            // the identity branches' share: dL/dx_b = w_b·g (dL/dx itself), dL/dw_b = Σ g·x
            for (int b = 0; b < k; b++) {
                if (f[b] != null || !(needX || needW)) continue;
                Tensor gb = needX ? Scope.untracked(() -> Tensors.emptyLike(gc)) : null;
                sumBackward(x, w, b, gc, gb, gw);
                gx[b] = gb;
            }
            // (3) dL/dx: the outer sum so far, + the identity branches (k order), + the computed ones (last to first)
            if (needX) {
                Tensor total = partial == null ? null : partial[0];
                for (int b = 0; b < k; b++) if (f[b] == null) total = addOnto(total, gx[b]);
                for (int b = k - 1; b >= 0; b--) if (f[b] != null && gx[b] != null) total = addOnto(total, gx[b]);
                for (Tensor t : gx) if (t != null && t != total) t.close();
                out[0] = total != null ? total : Scope.untracked(() -> Tensors.zerosLike(x));
            }
            if (needW) out[1] = addOnto(partial == null ? null : partial[1], gw);
        }
        return out;
    }

    /**
     * One computed branch's task in backward: out = f(xv) again, recording where some leaf is wanted
     * (the recompute flag on, so BN leaves its running statistics alone); dL/dout = w_b·g and gw[b] =
     * Σ g·out; then dL/dout back through the branch to its leaves.
     */
    private static void branchBackward(UnaryOperator<Tensor> f, Tensor xv, Tensor w, int b, Tensor g, Tensor gw, List<Tensor> leaves) {
        boolean record = !leaves.isEmpty();
        if (!record && gw == null) return;
        try (Scope s = Scope.open()) {
            Tensor y;
            try (GradMode.Guard mode = record ? GradMode.on() : GradMode.off(); Recompute.Mark m = Recompute.mark(true)) {
                y = f.apply(xv);
            }
            Tensor gy = record ? Tensors.emptyLike(g) : null;
            sumBackward(y.isContiguous() ? y : Tensors.contiguousCopy(y), w, b, g, gy, gw);
            if (record) Autograd.backward(y, gy, leaves);
        }
    }

    /**
     * Branch b's share of the weighted sum's backward (WeightedSumOps): gy = w_b·g where gy is not
     * null, gw[b] = Σ g·y where gw is not null. The backend computes every k of a call on its own
     * (gw_k's partial sums do not depend on K), so these are the bits of the K-input call.
     */
    private static void sumBackward(Tensor y, Tensor w, int b, Tensor g, Tensor gy, Tensor gw) {
        if (gy == null && gw == null) return;
        Tensor wb = Tensors.view(w, Shape.of(1), new long[] {w.strides()[0]}, w.offset() + b * w.strides()[0]);
        Tensor gwb = gw == null ? null : Tensors.view(gw, Shape.of(1), new long[] {1}, gw.offset() + b);
        try {
            Device.backendOf(g).weightedSumBackward(new Tensor[] {y}, wb, g, new Tensor[] {gy}, gwb);
        } finally {
            wb.close();
            if (gwb != null) gwb.close();
        }
    }

    /** sum += c in place (sum owned by this node), or a copy of c owned by nobody when there is no sum yet. */
    private static Tensor addOnto(Tensor sum, Tensor c) {
        if (sum == null) return Scope.untracked(() -> Tensors.contiguousCopy(c));
        Device.backendOf(sum).binary(BinaryOp.ADD, sum, c, sum);
        return sum;
    }
}
