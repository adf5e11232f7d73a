package adl.autograd;

import adl.backend.Backend;
import adl.backend.Device;
import adl.tensor.GradFn;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Base of every backward rule. An op makes its output, then (when {@link #wanted} says the graph
 * is being recorded) attaches a Node subclass that saves what the backward needs with
 * {@link #save} and implements {@link #backward}. Saved tensors stay alive (even if their scope
 * closes their handles) until the backward pass has used them.
 */
public abstract class Node implements GradFn {
    private final String name;
    private final List<Tensor> inputs;
    private final ArrayList<Tensor> saved = new ArrayList<>(4);
    private boolean released;

    protected Node(String name, Tensor... inputs) {
        this.name = name;
        this.inputs = Arrays.asList(inputs);
    }

    /** True when grad mode is on and some input requires a gradient: then the op must record a node. */
    public static boolean wanted(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /** Keeps {@code t}'s memory alive for the backward pass. Returns t. */
    protected final Tensor save(Tensor t) {
        t.storage().retain();
        saved.add(t);
        return t;
    }

    /** Attaches this node to {@code out} (the op's output). Returns out. */
    public final Tensor attach(Tensor out) {
        out.setGradFn(this);
        return out;
    }

    @Override public final String name() { return name; }

    @Override public final List<Tensor> inputs() { return inputs; }

    /** Fails clearly when backward runs a second time over a freed graph. */
    final void checkNotReleased() {
        if (released) {
            throw new IllegalStateException("backward through '" + name + "' a second time: its saved tensors were already freed");
        }
    }

    @Override
    public final void releaseSaved() {
        if (released) return;
        released = true;
        for (Tensor t : saved) t.storage().release();
        saved.clear();
    }

    /**
     * True for a node whose backward adds its gradient contributions for an input onto the sum the
     * engine accumulated so far ({@link #partialSums}) instead of returning them to be added after.
     */
    boolean continuesInputSums() { return false; }

    /** Before {@link #backward}: per input, the gradient summed so far (null: none yet), now owned by this node. */
    void partialSums(Tensor[] partial) {}

    /** The backend of the op's first input. */
    protected final Backend backend() { return Device.backendOf(inputs.get(0)); }

    @Override public String toString() { return "Node(" + name + ")"; }
}
