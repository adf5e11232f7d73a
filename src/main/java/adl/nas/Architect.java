package adl.nas;

import adl.autograd.Autograd;
import adl.autograd.Frozen;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.dist.Collectives;
import adl.memory.Scope;
import adl.optim.Adam;
import adl.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first-order architecture step (paper §4.2, DARTS first order): on a batch of the B half,
 * α, β ← Adam(∇_{α,β} L_B(w, α, β)) with the weights w held fixed: they are frozen for the
 * step (no op records anything for them) and the backward pass is restricted to α and β, so no
 * weight gradient is computed.
 */
public final class Architect implements AutoCloseable {
    private final SuperNet net;
    private final Adam adam;

    public Architect(SuperNet net, double lr, double beta1, double beta2, double weightDecay) {
        this.net = net;
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("arch.alpha", net.arch().alpha());
        params.put("arch.beta", net.arch().beta());
        this.adam = new Adam(params, lr, beta1, beta2, 1e-8, weightDecay);
    }

    /**
     * One architecture step on (x, labels); returns the loss on that batch. A NaN or infinite
     * loss throws {@link ArithmeticException} before α and β are touched.
     */
    public double step(Tensor x, Tensor labels) {
        try (Scope s = Scope.open(); Frozen weights = Frozen.of(net.weightParameters())) {
            Tensor loss = net.loss(x, labels);
            double value = Tensors.item(loss);
            if (!Double.isFinite(value)) throw new ArithmeticException("architecture loss is " + value);
            Autograd.backward(loss, net.archParameters());
            adam.step();
            adam.zeroGrad();
            return value;
        }
    }

    /**
     * The data-parallel step (docs/08-data-parallel.md): the α, β gradients of {@code lossWeight}·L_r
     * summed over the ranks in rank order, then the Adam step — the same α, β on every rank. Returns
     * lossWeight·L_r. One process with weight 1 is exactly {@link #step(Tensor, Tensor)}.
     */
    public double step(Tensor x, Tensor labels, double lossWeight, Collectives ranks) {
        if (ranks.size() == 1 && lossWeight == 1) return step(x, labels);
        try (Scope s = Scope.open(); Frozen weights = Frozen.of(net.weightParameters())) {
            Tensor loss = net.loss(x, labels);
            double value = Tensors.item(loss);
            if (!Double.isFinite(value)) throw new ArithmeticException("architecture loss is " + value);
            Autograd.backward(loss, Tensors.full(Device.backendOf(loss).device(), loss.dtype(), loss.shape(), lossWeight), net.archParameters());
            ranks.allReduceSum(Gradients.of(net.archParameters()));
            adam.step();
            adam.zeroGrad();
            return value * lossWeight;
        }
    }

    /**
     * The same step without a host read, so it can be captured as a CUDA graph: the loss is copied
     * into {@code lossOut} (1 element, on the batch's device) for the caller to read after the step.
     * Nothing checks the loss here: a NaN or infinite loss has already updated α and β when the
     * caller sees it.
     */
    public void stepInto(Tensor x, Tensor labels, Tensor lossOut) {
        try (Scope s = Scope.open(); Frozen weights = Frozen.of(net.weightParameters())) {
            Tensor loss = net.loss(x, labels);
            Device.backendOf(lossOut).copy(loss, lossOut);
            Autograd.backward(loss, net.archParameters());
            adam.step();
            adam.zeroGrad();
        }
    }

    public Adam optimizer() { return adam; }

    @Override public void close() { adam.close(); }
}
