package adl.optim;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.SGD with dampening 0: g = grad + weightDecay·p; buf = momentum·buf + g (buf = g
 * at a parameter's first step); p -= lr · (nesterov ? g + momentum·buf : buf). Momentum buffers
 * are allocated at a parameter's first step, outside every scope, and exposed by name for
 * checkpoints.
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();

    public SGD(Map<String, Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        super(params, lr);
        if (momentum < 0 || weightDecay < 0) throw new IllegalArgumentException("SGD momentum " + momentum + " and weight decay " + weightDecay + " must be >= 0");
        if (nesterov && momentum == 0) throw new IllegalArgumentException("SGD: nesterov needs momentum > 0");
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public double momentum() { return momentum; }
    public double weightDecay() { return weightDecay; }
    public boolean nesterov() { return nesterov; }

    @Override
    protected void update(String name, Tensor param, Tensor grad) {
        Tensor buf = null;
        boolean first = false;
        if (momentum != 0) {
            buf = buffers.get(name);
            if (buf == null) {
                buf = Scope.untracked(() -> Tensors.emptyLike(param)).name(name + ".momentum_buffer");
                buffers.put(name, buf);
                first = true;
            }
        }
        Device.backendOf(param).sgdStep(param, grad, buf, lr(), momentum, weightDecay, nesterov, first);
    }

    /** Momentum buffers by parameter name (PyTorch state 'momentum_buffer'); only parameters that have stepped. */
    public Map<String, Tensor> momentumBuffers() { return Collections.unmodifiableMap(buffers); }

    /** Restores a parameter's momentum buffer (e.g. from a checkpoint): copies {@code values} into optimizer-owned memory. */
    public void loadMomentumBuffer(String name, Tensor values) {
        Tensor p = OptimState.param(this, name);
        Tensor buf = buffers.computeIfAbsent(name, k -> Scope.untracked(() -> Tensors.emptyLike(p)).name(k + ".momentum_buffer"));
        OptimState.copyInto(values, buf, name);
    }

    @Override
    public void close() {
        buffers.values().forEach(Tensor::close);
        buffers.clear();
    }
}
