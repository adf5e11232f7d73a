package adl.optim;

import adl.autograd.GradMode;
import adl.tensor.Tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Base of the optimizers: a fixed, ordered set of named parameters (leaf tensors with
 * requiresGrad, e.g. {@code module.namedParameters()}), a learning rate that the training loop
 * may change before any step ({@link #setLr}, driven by an {@link LrSchedule}), and per-parameter
 * state allocated lazily outside every scope (it lives until {@link #close}). A parameter whose
 * gradient is null at a step is skipped and its state left untouched, as in PyTorch.
 */
public abstract class Optimizer implements AutoCloseable {
    private final Map<String, Tensor> params;
    private double lr;

    protected Optimizer(Map<String, Tensor> params, double lr) {
        if (params.isEmpty()) throw new IllegalArgumentException("optimizer given no parameters");
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue();
            if (!seen.add(p)) throw new IllegalArgumentException("parameter '" + e.getKey() + "' " + p.describe() + " is given twice");
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' " + p.describe() + " is not a leaf that requires grad");
            }
            if (!p.isContiguous()) throw new IllegalArgumentException("parameter '" + e.getKey() + "' " + p.describe() + " is not contiguous");
        }
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        setLr(lr);
    }

    /** The parameters, by name, in the order given. */
    public final Map<String, Tensor> params() { return params; }

    public final double lr() { return lr; }

    /** The learning rate of the next {@link #step}. */
    public final void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        this.lr = lr;
    }

    /** One update of every parameter that has a gradient, with grad mode off. */
    public final void step() {
        try (GradMode.Guard off = GradMode.off()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = p.grad();
                if (g == null) continue;
                p.checkAlive();
                if (!g.shape().equals(p.shape()) || !g.isContiguous()) {
                    throw new IllegalStateException("gradient " + g.describe() + " of parameter '" + e.getKey() + "' " + p.describe()
                            + " must be contiguous and of the parameter's shape");
                }
                update(e.getKey(), p, g);
            }
        }
    }

    /** Updates one parameter in place from its gradient (grad mode is off). */
    protected abstract void update(String name, Tensor param, Tensor grad);

    /** Closes and clears every parameter's gradient (PyTorch zero_grad(set_to_none=True)). */
    public final void zeroGrad() {
        for (Tensor p : params.values()) {
            Tensor g = p.grad();
            if (g != null) {
                p.setGrad(null);
                g.close();
            }
        }
    }

    /** Frees the optimizer state (not the parameters). */
    @Override public abstract void close();
}
