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
 * {@link Recompute} over the whole sum. (That holds for branches that read x once, as the paper's
 * ops do: a branch reading it twice would have its own uses summed before they join the outer sum,
 * the same values in another association.)
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
     * The branches of one MixedOp.
     *
     * @param f        x: [N, C, H, W] → [N, C, H, W] per branch; null where the branch is the identity
     * @param params   per branch, the leaves f[b] reads besides x (empty for the identity)
     * @param schedule the computed branches' indices in the order their tasks start (the costliest first)
     */
    public record Branches(UnaryOperator<Tensor>[] f, List<List<Tensor>> params, int[] schedule) {
        List<Tensor> flatParams() {
            List<Tensor> flat = new ArrayList<>();
            for (List<Tensor> p : params) flat.addAll(p);
            return flat;
        }
    }

    /**
     * One edge's call: y = Σ_b w_b · f_b(x).
     *
     * @param recompute whether to recompute the branches in backward instead of storing their graphs
     * @param w         [K]: the branches' weights
     */
    public record Edge(Branches op, boolean recompute, Tensor x, Tensor w) {}

    /** One edge ({@link #applyAll} of one). */
    public static Tensor apply(Branches op, boolean recompute, Tensor x, Tensor w, Tasks tasks) {
        return applyAll(List.of(new Edge(op, recompute, x, w)), tasks)[0];
    }

    /**
     * Several edges at once (the MixedOps of one block, Eq. 1): every computed branch of every edge
     * is a task of one job, the costliest started first; then, on the calling thread, each edge's
     * weighted sum and, with recomputation, its node — what the edges give one at a time.
     */
    public static Tensor[] applyAll(List<Edge> edges, Tasks maybeParallel) {
        // synchronised batch norm's collectives must come in the same order on every rank: one thread
        Tasks tasks = SyncBatchNorm.active() != null ? SERIAL : maybeParallel;
        int n = edges.size();
        boolean[] node = new boolean[n];
        for (int e = 0; e < n; e++) node[e] = edges.get(e).recompute() && recorded(edges.get(e));
        Tensor[][] outs = outputs(edges, node, tasks);
        Tensor[] ys = new Tensor[n];
        int e = 0;
        try {
            for (; e < n; e++) {
                Edge edge = edges.get(e);
                try (GradMode.Guard off = node[e] ? GradMode.off() : null) {
                    ys[e] = weightedSum(edge.op(), outs[e], edge.w());
                }
                if (node[e]) ys[e] = attachNode(edge, ys[e], tasks);
            }
        } catch (RuntimeException | Error err) {
            for (int later = e + 1; later < n; later++) closeOutputs(edges.get(later).op(), outs[later]);
            throw err;
        }
        return ys;
    }

    /** Whether a recomputed edge records a node: grad mode on and x, w or a parameter requiring a gradient. */
    private static boolean recorded(Edge edge) {
        if (Node.wanted(edge.x(), edge.w())) return true;
        if (!GradMode.isEnabled()) return false;
        for (Tensor p : edge.op().flatParams()) if (p.requiresGrad()) return true;
        return false;
    }

    /** The recomputation node of a recorded edge: saves x and w only; its backward is {@link #backwardBranches}. */
    private static Tensor attachNode(Edge edge, Tensor y, Tasks tasks) {
        Branches op = edge.op();
        List<Tensor> flat = op.flatParams();
        Tensor[] nodeInputs = new Tensor[2 + flat.size()];
        nodeInputs[0] = edge.x();
        nodeInputs[1] = edge.w();
        for (int i = 0; i < flat.size(); i++) nodeInputs[2 + i] = flat.get(i);
        return new Node("mixed_op", nodeInputs) {
            final Tensor sx = save(edge.x()), sw = save(edge.w());
            Tensor[] partial;

            @Override boolean continuesInputSums() { return true; }

            @Override void partialSums(Tensor[] p) { partial = p; }

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return backwardBranches(op, sx, sw, g, needs, partial, tasks);
            }
        }.attach(y);
    }

    /** Σ_b w_b · out_b on the calling thread; the branch outputs live on only where the sum's backward saved them (for dL/dw). */
    private static Tensor weightedSum(Branches op, Tensor[] outs, Tensor w) {
        try (Scope edge = Scope.open()) {
            for (int b = 0; b < outs.length; b++) if (op.f()[b] != null) Scope.track(outs[b]);
            return edge.keep(WeightedSumOps.weightedSum(outs, w));
        }
    }

    /**
     * outs[e][b] = f_b(x_e) for every edge e (x_e itself for the identity), one task per computed
     * branch: the schedules' first entries of every edge first, then their second entries, and so
     * on. A task records its branch's graph where the caller's grad mode is on and its edge is not
     * recomputed. Each task's intermediates close with its own scope; the outputs belong to no scope.
     */
    private static Tensor[][] outputs(List<Edge> edges, boolean[] recomputed, Tasks tasks) {
        int n = edges.size(), longest = 0, count = 0;
        Tensor[][] outs = new Tensor[n][];
        for (int e = 0; e < n; e++) {
            Branches op = edges.get(e).op();
            outs[e] = new Tensor[op.f().length];
            for (int b = 0; b < op.f().length; b++) if (op.f()[b] == null) outs[e][b] = edges.get(e).x();
            longest = Math.max(longest, op.schedule().length);
            count += op.schedule().length;
        }
        int[] taskEdge = new int[count], taskBranch = new int[count];
        for (int at = 0, t = 0; at < longest; at++) {
            for (int e = 0; e < n; e++) {
                int[] schedule = edges.get(e).op().schedule();
                if (at < schedule.length) { taskEdge[t] = e; taskBranch[t++] = schedule[at]; }
            }
        }
        boolean grad = GradMode.isEnabled();
        try {
            tasks.forEach(count, t -> {
                int e = taskEdge[t], b = taskBranch[t];
                Edge edge = edges.get(e);
                outs[e][b] = Scope.untracked(() -> {
                    try (Scope s = Scope.open(); GradMode.Guard mode = grad && !recomputed[e] ? GradMode.on() : GradMode.off()) {
                        return s.keep(edge.op().f()[b].apply(edge.x()));
                    }
                });
            });
        } catch (RuntimeException | Error err) {
            for (int e = 0; e < n; e++) closeOutputs(edges.get(e).op(), outs[e]);
            throw err;
        }
        return outs;
    }

    private static void closeOutputs(Branches op, Tensor[] outs) {
        for (int b = 0; b < outs.length; b++) if (op.f()[b] != null && outs[b] != null) outs[b].close();
    }

    /** The backward of the class comment; needs: [x, w, every branch's params in branch order]. */
    private static Tensor[] backwardBranches(Branches op, Tensor x, Tensor w, Tensor g, boolean[] needs, Tensor[] partial, Tasks tasks) {
        UnaryOperator<Tensor>[] f = op.f();
        int[] schedule = op.schedule();
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
                for (Tensor param : op.params().get(b)) if (needs[p++]) l.add(param);
                leaves.add(l);
            }
            // (1)-(3) of the class comment, a task per computed branch: its output again, its share of the weighted sum's backward, its graph back to its leaves
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
            // dL/dx on this thread: the outer sum so far, + the identity branches (k order), + the computed ones (last to first)
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
     * null, gw[b] = Σ g·y where gw is not null. The CPU kernel computes every k of a call on its own
     * (gw_k's partial sums do not depend on K), so these are the bits of the K-input call there; on
     * CUDA the same values, one launch per branch (not compared bit for bit with the K-input call).
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
