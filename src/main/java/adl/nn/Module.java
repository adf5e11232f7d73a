package adl.nn;

import adl.backend.Device;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A layer or a network of layers, as torch.nn.Module: own parameters and buffers and named
 * child modules, all in registration order. Names follow PyTorch's state_dict: a module's own
 * entries under their names (weight, bias, running_mean, ...), a child's under
 * {@code childName + "." + name}, recursively. Parameters and buffers are created outside every
 * scope ({@link Parameter}) and belong to the module until {@link #close}. A module starts in
 * training mode; {@link #train(boolean)} switches it and all its descendants.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** y = this module applied to x. */
    public abstract Tensor forward(Tensor x);

    // ---- registration (constructors of subclasses) ----

    /** Registers a parameter made with {@link Parameter}. Returns it. */
    protected final Tensor registerParameter(String name, Tensor p) {
        checkName(name);
        if (!p.isLeaf() || !p.requiresGrad()) throw new IllegalArgumentException("parameter '" + name + "' " + p.describe() + " must be a leaf that requires grad");
        params.put(name, p);
        return p;
    }

    /** Registers a buffer (state saved with the module but not trained, e.g. running statistics). Returns it. */
    protected final Tensor registerBuffer(String name, Tensor b) {
        checkName(name);
        if (b.requiresGrad()) throw new IllegalArgumentException("buffer '" + name + "' " + b.describe() + " must not require grad");
        buffers.put(name, b);
        return b;
    }

    /** Registers a child module. Returns it. */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        if (child == this) throw new IllegalArgumentException("module '" + name + "' registered as its own child");
        children.put(name, child);
        child.train(training);
        return child;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("invalid name '" + name + "' in " + getClass().getSimpleName() + ": empty or contains '.'");
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' already used in " + getClass().getSimpleName());
        }
    }

    // ---- traversal ----

    /** Direct children, by name, in registration order. */
    public final Map<String, Module> children() { return Collections.unmodifiableMap(children); }

    /**
     * Every parameter with its dotted name, as torch named_parameters(): this module's own
     * parameters first, then each child's, depth first. A tensor shared between modules appears once.
     */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        // no beforeStateRead hooks: they bring buffers up to date (a host write), which a listing of
        // parameters does not need and which a CUDA graph capture refuses (docs/05d-cuda-graphs.md §2)
        collect(this, "", out, Collections.newSetFromMap(new IdentityHashMap<>()), true, false, false);
        return out;
    }

    /** The parameters in {@link #namedParameters()} order. */
    public final List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Every buffer with its dotted name (running_mean, running_var, num_batches_tracked, ...). */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(this, "", out, Collections.newSetFromMap(new IdentityHashMap<>()), false, true, true);
        return out;
    }

    /**
     * The tensors of a torch state_dict(), in its order: per module, its parameters then its
     * buffers, then its children recursively. A tensor shared between modules appears under
     * each of its names (as in torch). The map holds the live tensors, not copies.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(this, "", out, null, true, true, true);
        return out;
    }

    /** Appends m's tensors under prefix; a tensor already in {@code seen} is skipped (seen null: keep every name). */
    private static void collect(Module m, String prefix, Map<String, Tensor> out, Set<Tensor> seen,
                                boolean withParams, boolean withBuffers, boolean hooks) {
        if (hooks) m.beforeStateRead();
        if (withParams) {
            for (Map.Entry<String, Tensor> e : m.params.entrySet()) if (seen == null || seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
        }
        if (withBuffers) {
            for (Map.Entry<String, Tensor> e : m.buffers.entrySet()) if (seen == null || seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> c : m.children.entrySet()) collect(c.getValue(), prefix + c.getKey() + ".", out, seen, withParams, withBuffers, hooks);
    }

    /** Hook before this module's tensors are listed (a module may bring a buffer up to date). */
    protected void beforeStateRead() {}

    /** Hook after {@link #loadStateDict} wrote this module's tensors. */
    protected void afterStateLoad() {}

    /**
     * Copies {@code state} into this module's parameters and buffers (strict, as torch
     * load_state_dict: every key must exist on both sides with the same shape).
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        Set<String> missing = new LinkedHashSet<>(own.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new LinkedHashSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("state dict does not match " + getClass().getSimpleName() + ": missing " + missing + ", unexpected " + unexpected);
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey()), dst = e.getValue();
            if (!src.shape().equals(dst.shape()) || src.dtype() != dst.dtype()) {
                throw new IllegalArgumentException("state dict entry '" + e.getKey() + "': " + src.describe() + ", expected " + dst.describe());
            }
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) Device.backendOf(e.getValue()).copy(state.get(e.getKey()), e.getValue());
        visit(this, Module::afterStateLoad);
    }

    private static void visit(Module m, java.util.function.Consumer<Module> f) {
        f.accept(m);
        for (Module c : m.children.values()) visit(c, f);
    }

    // ---- mode ----

    /** Sets training (true) or evaluation (false) mode on this module and every descendant. Returns this. */
    public final Module train(boolean on) {
        visit(this, m -> m.training = on);
        return this;
    }

    public final Module train() { return train(true); }

    public final Module eval() { return train(false); }

    public final boolean isTraining() { return training; }

    // ---- lifetime ----

    /**
     * Frees every parameter (and its gradient) and buffer of this module and its descendants,
     * through each descendant's own {@code close()}, so a module that holds more than parameters
     * and buffers (ArchParameters' β mask) frees it too. Idempotent; a module closed through its
     * parent may be closed again, and a tensor shared by two modules is freed once.
     */
    @Override
    public void close() {
        for (Module c : children.values()) c.close();
        for (Tensor t : params.values()) {
            Tensor g = t.grad();
            if (g != null) {
                t.setGrad(null);
                g.close();
            }
            t.close();
        }
        for (Tensor t : buffers.values()) t.close();
    }
}
