package adl.bench.jmh;

import adl.tensor.Tensor;

/** Leaf gradients are kept across backward calls; the suites drop them after each repetition. */
final class Grads {
    private Grads() {}

    static void clear(Iterable<Tensor> leaves) {
        for (Tensor t : leaves) clear(t);
    }

    static void clear(Tensor t) {
        if (t.grad() != null) {
            t.grad().close();
            t.setGrad(null);
        }
    }
}
