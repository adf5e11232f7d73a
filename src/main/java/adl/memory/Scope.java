package adl.memory;

import adl.tensor.Tensor;

import java.util.ArrayList;

/**
 * A lifetime for tensors: every handle created while the scope is the current one (on this
 * thread) is closed when the scope closes, except the handles passed to {@link #keep}. Scopes
 * nest; keep() hands a tensor to the enclosing scope (or to nobody, outside all scopes).
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.loss(batch);   // every intermediate is tracked by `step`
 *     Autograd.backward(loss);           // parameter gradients are owned by the parameters
 * }                                      // all intermediates freed here
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final ArrayList<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent) { this.parent = parent; }

    /** Opens a scope nested in the current one and makes it current. */
    public static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope on this thread, or null. */
    public static Scope current() { return CURRENT.get(); }

    /** Registers a freshly created handle with the current scope (no-op outside any scope). */
    public static Tensor track(Tensor t) {
        Scope s = CURRENT.get();
        if (s != null) {
            t.owner(s);
            s.owned.add(t);
        }
        return t;
    }

    /**
     * Runs {@code body} with no current scope: handles created inside belong to nobody and live
     * until closed explicitly (parameters, optimizer state, gradients of leaves).
     */
    public static <T> T untracked(java.util.function.Supplier<T> body) {
        Scope saved = CURRENT.get();
        CURRENT.remove();
        try {
            return body.get();
        } finally {
            if (saved != null) CURRENT.set(saved);
        }
    }

    /** Hands {@code t} out of this scope: to the parent scope, or to nobody. Returns t. */
    public <T extends Tensor> T keep(T t) {
        if (t.owner() == this) {
            if (parent != null) {
                t.owner(parent);
                parent.owned.add(t);
            } else {
                t.owner(null);
            }
        }
        return t;
    }

    /** Closes every handle still owned by this scope, newest first, and makes the parent current. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int i = owned.size() - 1; i >= 0; i--) {
            Tensor t = owned.get(i);
            if (t.owner() == this) t.close();
        }
        owned.clear();
        if (CURRENT.get() == this) {
            if (parent != null) CURRENT.set(parent);
            else CURRENT.remove();
        }
    }
}
