package adl.optim;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.Adam (amsgrad off; weight decay as L2 added to the gradient, not AdamW):
 * g = grad + wd·p; m = b1·m + (1-b1)·g; v = b2·v + (1-b2)·g²;
 * p -= lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps), with t the parameter's own step count.
 * State per parameter (PyTorch names: exp_avg, exp_avg_sq, step) is made at its first step,
 * zero-initialised, outside every scope, and exposed for checkpoints.
 */
public final class Adam extends Optimizer {
    /** One parameter's Adam state; the tensors are owned by the optimizer. */
    public static final class State {
        private final Tensor expAvg;
        private final Tensor expAvgSq;
        private long step;

        State(Tensor expAvg, Tensor expAvgSq, long step) {
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            this.step = step;
        }

        public Tensor expAvg() { return expAvg; }
        public Tensor expAvgSq() { return expAvgSq; }
        /** Updates taken so far by this parameter. */
        public long step() { return step; }
    }

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, State> state = new LinkedHashMap<>();

    public Adam(Map<String, Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        if (!(eps >= 0) || weightDecay < 0) throw new IllegalArgumentException("Adam eps " + eps + " and weight decay " + weightDecay + " must be >= 0");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** PyTorch defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(Map<String, Tensor> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0); }

    public double beta1() { return beta1; }
    public double beta2() { return beta2; }
    public double eps() { return eps; }
    public double weightDecay() { return weightDecay; }

    @Override
    protected void update(String name, Tensor param, Tensor grad) {
        State s = state.computeIfAbsent(name, k -> newState(k, param));
        s.step++;
        Device.backendOf(param).adamStep(param, grad, s.expAvg, s.expAvgSq, s.step, lr(), beta1, beta2, eps, weightDecay);
    }

    private static State newState(String name, Tensor param) {
        Tensor m = Scope.untracked(() -> Tensors.zerosLike(param)).name(name + ".exp_avg");
        Tensor v = Scope.untracked(() -> Tensors.zerosLike(param)).name(name + ".exp_avg_sq");
        return new State(m, v, 0);
    }

    /**
     * Counts one update of {@code name} made outside {@link #step} — by a replay of a captured CUDA
     * graph, whose kernel reads the step from device memory — and returns the new step count. The
     * parameter must have stepped before (its state exists).
     */
    public long advanceStep(String name) {
        State s = state.get(name);
        if (s == null) throw new IllegalStateException("Adam: '" + name + "' has no state to advance; it never stepped");
        return ++s.step;
    }

    /** State by parameter name; only parameters that have stepped (or were restored). */
    public Map<String, State> state() { return Collections.unmodifiableMap(state); }

    /** Restores one parameter's state (e.g. from a checkpoint): copies the moments into optimizer-owned memory. */
    public void loadState(String name, Tensor expAvg, Tensor expAvgSq, long step) {
        if (step < 0) throw new IllegalArgumentException("Adam state for '" + name + "': negative step " + step);
        Tensor p = OptimState.param(this, name);
        State s = state.computeIfAbsent(name, k -> newState(k, p));
        OptimState.copyInto(expAvg, s.expAvg, name + ".exp_avg");
        OptimState.copyInto(expAvgSq, s.expAvgSq, name + ".exp_avg_sq");
        s.step = step;
    }

    @Override
    public void close() {
        for (State s : state.values()) {
            s.expAvg.close();
            s.expAvgSq.close();
        }
        state.clear();
    }
}
