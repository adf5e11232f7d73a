package adl.nas;

import adl.dist.Collectives;
import adl.memory.Scope;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.tensor.Tensor;

import java.util.function.Supplier;

/**
 * The alternation of the bilevel search (paper §4.2; docs/03-bilevel.md §1): each iteration one
 * weight step on a batch of A, then — from the architecture start epoch on — one architecture step
 * on a batch of B at the weights just updated; first order ({@link BilevelStep#architecture}) or
 * second order ({@link UnrolledArchitect}, docs/03-bilevel.md §9). {@link #iteration} is the one
 * place that order is written: the eager search, its data-parallel form and the captured CUDA graph
 * all run it.
 */
public final class Bilevel implements AutoCloseable {
    private final BilevelStep<SGD> weights;
    private final BilevelStep<Adam> architecture;
    /** The second-order architecture step, else null. */
    private final UnrolledArchitect unrolled;

    /** How an iteration runs its two steps. */
    public sealed interface Mode {
        /** On one process, each loss read and checked on the host before its update; ξ: the virtual learning rate of the second-order step. */
        record Eager(double xi) implements Mode {}

        /** As one rank of several: each loss weighted by the rank's share ({@code weightA}, {@code weightB}), gradients summed over {@code ranks}. */
        record Parallel(double weightA, double weightB, Collectives ranks) implements Mode {}

        /** Without a host read, for a CUDA graph: the losses copied into {@code lossA}, {@code lossB} (1 element each; lossB null without B). */
        record Captured(Tensor lossA, Tensor lossB) implements Mode {}
    }

    /** {@code archOrder}: 1 (first order) or 2 (second order, with the weight step's SGD defining the virtual step). */
    public Bilevel(SuperNet net, BilevelStep<SGD> weights, BilevelStep<Adam> architecture, int archOrder) {
        if (archOrder != 1 && archOrder != 2) throw new IllegalArgumentException("architecture order must be 1 or 2, got " + archOrder);
        this.weights = weights;
        this.architecture = architecture;
        this.unrolled = archOrder == 2 ? new UnrolledArchitect(net, architecture, weights.optimizer()) : null;
    }

    /**
     * One iteration: the weight step on (xA, yA) at learning rate {@code lr}, then, when {@code b}
     * is not null, the architecture step on the B batch {images, labels} it returns — asked for
     * only after the weight step, and closed after the architecture step unless it existed before.
     * {@code afterStep} runs after each step. Returns {weight loss, architecture loss or NaN}
     * (NaN, NaN when captured: the losses are in the mode's tensors; lossWeight·L_r when parallel).
     * Eager and parallel: a non-finite loss throws {@link ArithmeticException} before its update.
     * The second-order step runs eagerly only (it reads ‖v‖ on the host mid-step).
     */
    public double[] iteration(Tensor xA, Tensor yA, Supplier<Tensor[]> b, double lr, Mode mode, Runnable afterStep) {
        if (unrolled != null && !(mode instanceof Mode.Eager)) throw new IllegalArgumentException("the second-order step runs only eagerly on one process");
        double[] losses = {Double.NaN, Double.NaN};
        weights.at(lr);
        losses[0] = step(weights, xA, yA, mode, true);
        afterStep.run();
        if (b == null) return losses;
        try (Scope s = Scope.open()) {
            Tensor[] xyB = b.get();
            losses[1] = unrolled != null ? unrolled.step(xA, yA, xyB[0], xyB[1], ((Mode.Eager) mode).xi())
                    : step(architecture, xyB[0], xyB[1], mode, false);
        }
        afterStep.run();
        return losses;
    }

    private static double step(BilevelStep<?> step, Tensor x, Tensor y, Mode mode, boolean a) {
        return switch (mode) {
            case Mode.Eager e -> step.step(x, y);
            case Mode.Parallel p -> step.step(x, y, a ? p.weightA() : p.weightB(), p.ranks());
            case Mode.Captured c -> {
                step.stepInto(x, y, a ? c.lossA() : c.lossB());
                yield Double.NaN;
            }
        };
    }

    public BilevelStep<SGD> weights() { return weights; }

    public BilevelStep<Adam> architecture() { return architecture; }

    @Override public void close() {
        architecture.close();
        weights.close();
    }
}
