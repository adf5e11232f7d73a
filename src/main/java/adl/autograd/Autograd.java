package adl.autograd;

import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.GradFn;
import adl.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass over the dynamic tape: reverse topological order (found iteratively, the
 * supernet graph is too deep for recursion), gradients accumulated per tensor, each node's saved
 * tensors freed as soon as its backward ran, leaf gradients accumulated into {@code leaf.grad()}
 * (owned by the leaf, not by any scope).
 */
public final class Autograd {
    private Autograd() {}

    /** dL/d(leaf) for every leaf that requires grad; {@code loss} must have one element. */
    public static void backward(Tensor loss) { backward(loss, null); }

    /**
     * Like {@link #backward(Tensor)} but computes gradients only for {@code leaves} (null = all).
     * Branches of the graph that lead to no chosen leaf are never run, and no op computes a
     * gradient for an input that leads to no chosen leaf (the architecture step asks for α, β
     * only and pays nothing for the weight gradients).
     */
    public static void backward(Tensor loss, Collection<Tensor> leaves) {
        if (loss.numel() != 1) {
            throw new IllegalArgumentException("backward needs a 1-element loss, got " + loss.shape() + "; pass a gradient instead");
        }
        try (Scope s = Scope.open()) {
            Tensor one = Tensors.full(Device.backendOf(loss).device(), loss.dtype(), loss.shape(), 1.0);
            run(loss, one, leaves, Map.of());
        }
    }

    /** Backward from {@code root} with the given dL/d(root). */
    public static void backward(Tensor root, Tensor gradRoot, Collection<Tensor> leaves) {
        backward(root, gradRoot, leaves, Map.of());
    }

    /**
     * Like {@link #backward(Tensor, Tensor, Collection)}, with the gradient sums of some leaves
     * started at {@code sumsSoFar} (tensors this call takes over): each use's contribution is
     * added onto them in turn, as the outer pass would have (a recomputed {@link Recompute}).
     */
    static void backward(Tensor root, Tensor gradRoot, Collection<Tensor> leaves, Map<Tensor, Tensor> sumsSoFar) {
        try (Scope s = Scope.open()) {
            run(root, Tensors.contiguousCopy(gradRoot), leaves, sumsSoFar);
        }
    }

    private static void run(Tensor root, Tensor gradRoot, Collection<Tensor> leaves, Map<Tensor, Tensor> sumsSoFar) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward from " + root.describe() + ", which does not require grad (made under no-grad, or from no parameter)");
        }
        List<Tensor> order = topologicalOrder(root);
        Set<Tensor> relevant = relevant(order, leaves);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        Set<Tensor> sums = Collections.newSetFromMap(new IdentityHashMap<>());
        grads.put(root, gradRoot);
        for (Map.Entry<Tensor, Tensor> e : sumsSoFar.entrySet()) { // owned alone by this pass: added to in place
            grads.put(e.getKey(), e.getValue());
            sums.add(e.getValue());
        }
        try (GradMode.Guard off = GradMode.off()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                GradFn fn = t.gradFn();
                if (fn == null) { // a leaf
                    if (g != null) accumulateLeaf(t, g);
                    continue;
                }
                if (g == null || !relevant.contains(t)) {
                    fn.releaseSaved();
                    continue;
                }
                if (fn instanceof Node n) n.checkNotReleased();
                List<Tensor> in = fn.inputs();
                boolean[] needs = new boolean[in.size()];
                for (int k = 0; k < needs.length; k++) {
                    Tensor x = in.get(k);
                    needs[k] = x != null && x.requiresGrad() && relevant.contains(x);
                }
                if (fn instanceof Node n && n.continuesInputSums()) handOverPartialSums(n, in, needs, grads, sums);
                Tensor[] gin = fn.backward(g, needs);
                fn.releaseSaved();
                for (int k = 0; k < needs.length; k++) {
                    if (!needs[k] || gin[k] == null) continue;
                    checkShape(fn, k, in.get(k), gin[k]);
                    accumulate(grads, sums, in.get(k), ownHandle(gin, k, g));
                }
                g.close();
            }
            for (Tensor leaf : sumsSoFar.keySet()) { // a started sum this pass added nothing to
                Tensor g = grads.remove(leaf);
                if (g != null) accumulateLeaf(leaf, g);
            }
        }
    }

    /**
     * For a node that continues its inputs' gradient sums itself (a recomputed {@link Recompute}):
     * the sums accumulated so far leave the engine and go to the node, which adds its own
     * contributions onto them one by one and returns the totals, so that every addition happens in
     * the order and association of the stored graph (bitwise the same gradients). A sum another
     * gradient may share memory with is copied first.
     */
    private static void handOverPartialSums(Node n, List<Tensor> in, boolean[] needs, Map<Tensor, Tensor> grads, Set<Tensor> sums) {
        Tensor[] partial = new Tensor[needs.length];
        for (int k = 0; k < needs.length; k++) {
            if (!needs[k]) continue;
            Tensor p = grads.remove(in.get(k));
            if (p == null) continue;
            if (sums.remove(p)) {
                partial[k] = p;
            } else {
                partial[k] = Scope.untracked(() -> Tensors.contiguousCopy(p));
                p.close();
            }
        }
        n.partialSums(partial);
    }

    /**
     * gin[k] as a handle the engine owns alone: a rule may return its incoming gradient itself,
     * or one handle for two inputs; those get a fresh view handle (same memory, own reference).
     */
    private static Tensor ownHandle(Tensor[] gin, int k, Tensor g) {
        Tensor t = gin[k];
        boolean shared = t == g;
        for (int j = 0; j < k && !shared; j++) shared = gin[j] == t;
        return shared ? Tensors.view(t, t.shape(), t.strides(), t.offset()) : t;
    }

    private static void checkShape(GradFn fn, int k, Tensor input, Tensor grad) {
        if (!grad.shape().equals(input.shape())) {
            throw new IllegalStateException("backward of '" + fn.name() + "' gave a gradient of shape " + grad.shape()
                    + " for input " + k + " of shape " + input.shape());
        }
    }

    /**
     * grads[x] += g. A gradient handed back by a rule may share memory with another one (a rule
     * may return its incoming gradient for two inputs, or a view of it), so the first sum goes
     * into fresh memory that the engine owns alone ({@code sums}); only those are added to in place.
     */
    private static void accumulate(Map<Tensor, Tensor> grads, Set<Tensor> sums, Tensor x, Tensor g) {
        Tensor prev = grads.get(x);
        if (prev == null) {
            grads.put(x, g);
            return;
        }
        if (sums.contains(prev)) {
            Device.backendOf(prev).binary(BinaryOp.ADD, prev, g, prev);
        } else {
            Tensor sum = Tensors.emptyLike(prev);
            Device.backendOf(prev).binary(BinaryOp.ADD, prev, g, sum);
            grads.put(x, sum);
            sums.add(sum);
            prev.close();
        }
        g.close();
    }

    /** leaf.grad += g; the gradient tensor belongs to the leaf (outside every scope). */
    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor prev = leaf.grad();
        if (prev == null) {
            leaf.setGrad(Scope.untracked(() -> Tensors.contiguousCopy(g)));
        } else {
            Device.backendOf(prev).binary(BinaryOp.ADD, prev, g, prev);
        }
        g.close();
    }

    /** Tensors reachable from root through grad functions, inputs before the tensors made from them. */
    static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        stack.push(root);
        nextChild.push(0);
        visited.add(root);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int k = nextChild.pop();
            List<Tensor> in = t.gradFn() == null ? List.of() : t.gradFn().inputs();
            // advance to the next unvisited input that requires grad
            while (k < in.size() && (in.get(k) == null || !in.get(k).requiresGrad() || visited.contains(in.get(k)))) k++;
            if (k < in.size()) {
                nextChild.push(k + 1);
                Tensor child = in.get(k);
                visited.add(child);
                stack.push(child);
                nextChild.push(0);
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    /** The tensors from which a chosen leaf can be reached (all of them when leaves is null). */
    private static Set<Tensor> relevant(List<Tensor> order, Collection<Tensor> leaves) {
        Set<Tensor> rel = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Tensor> chosen = null;
        if (leaves != null) {
            chosen = Collections.newSetFromMap(new IdentityHashMap<>());
            chosen.addAll(leaves);
        }
        for (Tensor t : order) { // inputs come first
            if (t.gradFn() == null) {
                if (chosen == null || chosen.contains(t)) rel.add(t);
                continue;
            }
            for (Tensor x : t.gradFn().inputs()) {
                if (x != null && rel.contains(x)) {
                    rel.add(t);
                    break;
                }
            }
        }
        return rel;
    }
}
