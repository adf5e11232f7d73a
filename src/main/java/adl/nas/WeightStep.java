package adl.nas;

import adl.autograd.Autograd;
import adl.autograd.Frozen;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.dist.Collectives;
import adl.memory.Scope;
import adl.optim.SGD;
import adl.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weight half of a search iteration (paper §4.2): on a batch of the A half,
 * w ← SGD(∇_w L_A(w, α, β)) with α and β frozen for the step, so nothing is recorded or saved for
 * them and no architecture gradient is computed.
 */
public final class WeightStep implements AutoCloseable {
    private final SuperNet net;
    private final SGD sgd;

    public WeightStep(SuperNet net, double lr, double momentum, double weightDecay) {
        this.net = net;
        Map<String, Tensor> weights = new LinkedHashMap<>();
        net.namedParameters().forEach((k, v) -> { if (!k.startsWith("arch.")) weights.put(k, v); });
        this.sgd = new SGD(weights, lr, momentum, weightDecay, false);
    }

    /**
     * One SGD step on (x, labels) at learning rate {@code lr}; returns the loss. A NaN or infinite
     * loss throws {@link ArithmeticException} before the weights are touched.
     */
    public double step(Tensor x, Tensor labels, double lr) {
        sgd.setLr(lr);
        try (Scope s = Scope.open(); Frozen arch = Frozen.of(net.archParameters())) {
            Tensor loss = net.loss(x, labels);
            double value = Tensors.item(loss);
            if (!Double.isFinite(value)) throw new ArithmeticException("weight loss is " + value);
            Autograd.backward(loss, net.weightParameters());
            sgd.step();
            sgd.zeroGrad();
            return value;
        }
    }

    /**
     * The data-parallel step (docs/08-data-parallel.md): the gradient of {@code lossWeight}·L_r,
     * summed over the ranks in rank order ({@link Collectives#allReduceSum}), then the SGD step —
     * the same update on every rank. Returns lossWeight·L_r (the caller sums it over the ranks).
     * One process with weight 1 is exactly {@link #step(Tensor, Tensor, double)}.
     */
    public double step(Tensor x, Tensor labels, double lr, double lossWeight, Collectives ranks) {
        if (ranks.size() == 1 && lossWeight == 1) return step(x, labels, lr);
        sgd.setLr(lr);
        try (Scope s = Scope.open(); Frozen arch = Frozen.of(net.archParameters())) {
            Tensor loss = net.loss(x, labels);
            double value = Tensors.item(loss);
            if (!Double.isFinite(value)) throw new ArithmeticException("weight loss is " + value);
            List<Tensor> params = net.weightParameters();
            Autograd.backward(loss, Tensors.full(Device.backendOf(loss).device(), loss.dtype(), loss.shape(), lossWeight), params);
            ranks.allReduceSum(Gradients.of(params));
            sgd.step();
            sgd.zeroGrad();
            return value * lossWeight;
        }
    }

    /**
     * The same step without a host read, so it can be captured as a CUDA graph: the loss is copied
     * into {@code lossOut} (1 element, on the batch's device) for the caller to read after the step.
     * Nothing checks the loss here: a NaN or infinite loss has already updated the weights when the
     * caller sees it.
     */
    public void stepInto(Tensor x, Tensor labels, double lr, Tensor lossOut) {
        sgd.setLr(lr);
        try (Scope s = Scope.open(); Frozen arch = Frozen.of(net.archParameters())) {
            Tensor loss = net.loss(x, labels);
            Device.backendOf(lossOut).copy(loss, lossOut);
            Autograd.backward(loss, net.weightParameters());
            sgd.step();
            sgd.zeroGrad();
        }
    }

    public SGD optimizer() { return sgd; }

    @Override public void close() { sgd.close(); }
}
