package adl.nn;

import adl.memory.Scope;
import adl.tensor.Tensor;

import java.util.function.Supplier;

/**
 * Makes the long-lived tensors of a module or optimizer. A parameter is a plain {@link Tensor}:
 * a contiguous leaf with requiresGrad, created outside every scope (Scope.untracked) so that it
 * lives until its owner closes it, and named with its local name for messages. The dotted
 * state_dict name is given by the module tree ({@link Module#namedParameters()}).
 */
public final class Parameter {
    private Parameter() {}

    /** A trainable leaf from the tensor {@code init} makes (evaluated outside every scope). */
    public static Tensor create(String name, Supplier<Tensor> init) {
        Tensor t = Scope.untracked(init);
        return check(name, t).requiresGrad(true).name(name);
    }

    /** A non-trainable tensor (running statistics, counters) that lives with its module. */
    public static Tensor buffer(String name, Supplier<Tensor> init) {
        return check(name, Scope.untracked(init)).name(name);
    }

    private static Tensor check(String name, Tensor t) {
        if (!t.isLeaf() || !t.isContiguous()) {
            t.close();
            throw new IllegalArgumentException("parameter '" + name + "' must be made from a fresh contiguous tensor, got " + t.describe());
        }
        return t;
    }
}
