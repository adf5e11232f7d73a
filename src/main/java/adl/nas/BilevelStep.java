package adl.nas;

import adl.autograd.Autograd;
import adl.autograd.Frozen;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.dist.Collectives;
import adl.memory.Scope;
import adl.optim.Adam;
import adl.optim.Optimizer;
import adl.optim.SGD;
import adl.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One step of the bilevel search (paper §4.2; docs/03-bilevel.md §1) in one of its two
 * configurations, which differ only in which parameters train and which optimiser steps:
 *
 * <pre>
 *   {@link #weights}:       w    ← SGD(∇_w L_A(w, α, β))        on a batch of A, α and β frozen
 *   {@link #architecture}:  α, β ← Adam(∇_{α,β} L_B(w, α, β))   on a batch of B, w frozen
 * </pre>
 *
 * The frozen parameters are frozen for the step (no op records or saves anything for them) and the
 * backward pass is restricted to the trained leaves, so the frozen side gets no gradient.
 * {@code O}: the configuration's optimiser (its learning rate, state and checkpoint keys).
 */
public final class BilevelStep<O extends Optimizer> implements AutoCloseable {
    private final SuperNet net;
    private final O optimizer;
    /** The leaves that get gradients, and the parameters frozen for the step (read at each step). */
    private final Function<SuperNet, List<Tensor>> trained, frozen;
    /** "weight" or "architecture": names the loss in a non-finite error. */
    private final String name;

    private BilevelStep(SuperNet net, O optimizer, Function<SuperNet, List<Tensor>> trained, Function<SuperNet, List<Tensor>> frozen, String name) {
        this.net = net;
        this.optimizer = optimizer;
        this.trained = trained;
        this.frozen = frozen;
        this.name = name;
    }

    /** The weight step: every parameter but arch.* trained by SGD (momentum, weight decay, no Nesterov); α, β frozen. */
    public static BilevelStep<SGD> weights(SuperNet net, double lr, double momentum, double weightDecay) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        net.namedParameters().forEach((k, v) -> { if (!k.startsWith("arch.")) weights.put(k, v); });
        return new BilevelStep<>(net, new SGD(weights, lr, momentum, weightDecay, false),
                SuperNet::weightParameters, SuperNet::archParameters, "weight");
    }

    /** The first-order architecture step: α and β (checkpoint keys arch.alpha, arch.beta) trained by Adam (ε = 1e-8); w frozen. */
    public static BilevelStep<Adam> architecture(SuperNet net, double lr, double beta1, double beta2, double weightDecay) {
        Map<String, Tensor> arch = new LinkedHashMap<>();
        arch.put("arch.alpha", net.arch().alpha());
        arch.put("arch.beta", net.arch().beta());
        return new BilevelStep<>(net, new Adam(arch, lr, beta1, beta2, 1e-8, weightDecay),
                SuperNet::archParameters, SuperNet::weightParameters, "architecture");
    }

    /** Sets the optimiser's learning rate for the next steps (the weights follow the cosine schedule); returns this. */
    public BilevelStep<O> at(double lr) {
        optimizer.setLr(lr);
        return this;
    }

    /**
     * One step on (x, labels): x [N, 3, H, W], labels [N, H, W] (I32); returns the loss on that
     * batch. A NaN or infinite loss throws {@link ArithmeticException} before the parameters are touched.
     */
    public double step(Tensor x, Tensor labels) { return run(x, labels, 1, null, null, name, true); }

    /**
     * The data-parallel step (docs/08-data-parallel.md): the gradient of {@code lossWeight}·L_r
     * summed over the ranks in rank order ({@link Collectives#allReduceSum}), then the optimiser step
     * — the same update on every rank. Returns lossWeight·L_r (the caller sums it over the ranks).
     * One process with weight 1 is exactly {@link #step(Tensor, Tensor)}.
     */
    public double step(Tensor x, Tensor labels, double lossWeight, Collectives ranks) {
        if (ranks.size() == 1 && lossWeight == 1) return step(x, labels);
        return run(x, labels, lossWeight, ranks, null, name, true) * lossWeight;
    }

    /**
     * The same step without a host read, so it can be captured as a CUDA graph: the loss is copied
     * into {@code lossOut} (1 element, on the batch's device) for the caller to read after the step.
     * Nothing checks the loss here: a NaN or infinite loss has already updated the parameters when
     * the caller sees it.
     */
    public void stepInto(Tensor x, Tensor labels, Tensor lossOut) { run(x, labels, 1, null, lossOut, name, true); }

    /**
     * The step's forward and backward pass without the optimiser step: leaves the gradient in the
     * trained leaves' {@code grad}; returns the loss ({@code what} names it in the non-finite error).
     * The second-order step builds on it ({@link UnrolledArchitect}).
     */
    double gradient(Tensor x, Tensor labels, String what) { return run(x, labels, 1, null, null, what, false); }

    /**
     * The one body: forward with the frozen side frozen, the loss read and checked on the host (or
     * copied to {@code lossOut}), backward to the trained leaves (seeded with {@code lossWeight} and
     * all-reduced when {@code ranks} is given), then — when {@code update} — the optimiser step.
     */
    private double run(Tensor x, Tensor labels, double lossWeight, Collectives ranks, Tensor lossOut, String what, boolean update) {
        try (Scope s = Scope.open(); Frozen f = Frozen.of(frozen.apply(net))) {
            Tensor loss = net.loss(x, labels);
            double value = Double.NaN;
            if (lossOut != null) {
                Device.backendOf(lossOut).copy(loss, lossOut);
            } else {
                value = Tensors.item(loss);
                if (!Double.isFinite(value)) throw new ArithmeticException(what + " loss is " + value);
            }
            List<Tensor> leaves = trained.apply(net);
            if (ranks == null) {
                Autograd.backward(loss, leaves);
            } else {
                Autograd.backward(loss, Tensors.full(Device.backendOf(loss).device(), loss.dtype(), loss.shape(), lossWeight), leaves);
                ranks.allReduceSum(Gradients.of(leaves));
            }
            if (update) {
                optimizer.step();
                optimizer.zeroGrad();
            }
            return value;
        }
    }

    public O optimizer() { return optimizer; }

    @Override public void close() { optimizer.close(); }
}
