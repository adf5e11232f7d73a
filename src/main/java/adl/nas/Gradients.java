package adl.nas;

import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** The gradients of parameters, for the all-reduce of a data-parallel step. */
final class Gradients {
    private Gradients() {}

    /**
     * The non-null gradients of {@code params}, in their order. Every rank runs the same graph, so
     * every rank lists the same parameters here (one without a gradient is skipped by the optimizer
     * on every rank alike).
     */
    static List<Tensor> of(List<Tensor> params) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : params) if (p.grad() != null) out.add(p.grad());
        return out;
    }
}
