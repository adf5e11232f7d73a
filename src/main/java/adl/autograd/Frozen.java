package adl.autograd;

import adl.tensor.Tensor;

import java.util.List;

/**
 * Temporarily takes leaves out of the graph: {@code try (var f = Frozen.of(alphaAndBeta)) { ... }}
 * sets requiresGrad(false) on them and restores it at close. Ops then record nothing on their
 * behalf and save nothing for a gradient that will not be asked for — the weight step of the
 * search freezes α, β; the architecture step freezes the weights.
 */
public final class Frozen implements AutoCloseable {
    private final List<Tensor> leaves;
    private final boolean[] before;

    private Frozen(List<Tensor> leaves) {
        this.leaves = List.copyOf(leaves);
        this.before = new boolean[this.leaves.size()];
        for (int i = 0; i < before.length; i++) {
            Tensor t = this.leaves.get(i);
            if (!t.isLeaf()) throw new IllegalArgumentException("only leaves can be frozen, not " + t.describe());
            before[i] = t.requiresGrad();
            t.requiresGrad(false);
        }
    }

    public static Frozen of(List<Tensor> leaves) { return new Frozen(leaves); }

    @Override
    public void close() {
        for (int i = 0; i < before.length; i++) leaves.get(i).requiresGrad(before[i]);
    }
}
