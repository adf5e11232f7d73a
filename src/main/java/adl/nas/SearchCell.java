package adl.nas;

import adl.autograd.ElementwiseOps;
import adl.autograd.ShapeOps;
import adl.memory.Scope;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cell owned by one trellis node (paper §3.1, Eq. 1 and 5): B blocks, block i sums a MixedOp over
 * each of the states 0 .. i+1 (state 0 = preprocessed H^{l−1}, 1 = preprocessed H^{l−2}, 2 + k =
 * block k); the output is the concat of the B block outputs, [N, B·C, H, W].
 *
 * <p>The node evaluates the cell once per predecessor p (up to three). The MixedOps (and so all
 * op weights) are shared by those evaluations; the preprocessing of H^{l−1}_p is per predecessor
 * (its width and size differ), that of H^{l−2} is one per node.
 */
public final class SearchCell extends Module {
    private final CellTopology topology;
    private final MixedOp[] edges;
    private final Preprocess prev2;
    private final Map<Integer, Preprocess> prev1 = new TreeMap<>();

    /**
     * @param prev1Inputs level → channels of each predecessor H^{l−1}_p
     * @param prev2Level  level of the H^{l−2} source (−1 = the rate-2 stem tensor)
     */
    public SearchCell(Init init, CellTopology topology, int level, int channels,
                      Map<Integer, Integer> prev1Inputs, int prev2Level, int prev2Channels) {
        this.topology = topology;
        for (Map.Entry<Integer, Integer> p : new TreeMap<>(prev1Inputs).entrySet()) {
            prev1.put(p.getKey(), registerModule("pre_prev_" + levelName(p.getKey()), new Preprocess(init, p.getValue(), p.getKey(), level, channels)));
        }
        prev2 = registerModule("pre_prev2", new Preprocess(init, prev2Channels, prev2Level, level, channels));
        edges = new MixedOp[topology.edges()];
        for (int e = 0; e < edges.length; e++) edges[e] = registerModule("edge" + e, new MixedOp(init, topology.space(), channels));
    }

    private static String levelName(int level) { return "level" + level; }

    /** H^{l−2} brought to the node: computed once per node, reused by every predecessor's evaluation. */
    public Tensor preprocessPrev2(Tensor h2, int height, int width) { return prev2.forward(h2, height, width); }

    /**
     * Cell(H^{l−1}_p, H^{l−2}).
     *
     * @param fromLevel   level p of the predecessor
     * @param h1          H^{l−1}_p
     * @param s1          the preprocessed H^{l−2} ({@link #preprocessPrev2})
     * @param edgeWeights per edge e, softmax(α_e) at the computed ops' columns ({@link ArchParameters#edgeWeights})
     */
    public Tensor forward(int fromLevel, Tensor h1, Tensor s1, Tensor[] edgeWeights) {
        Preprocess pre = prev1.get(fromLevel);
        if (pre == null) throw new IllegalArgumentException("this cell has no input from level " + fromLevel);
        // the states made here are closed with the scope; their memory lives on where backward saved it
        try (Scope cell = Scope.open()) {
            Tensor[] states = new Tensor[2 + topology.blocks()];
            states[0] = pre.forward(h1, s1.dim(2), s1.dim(3));
            states[1] = s1;
            for (int b = 0; b < topology.blocks(); b++) states[2 + b] = block(b, states, edgeWeights);
            return cell.keep(ShapeOps.concat(1, Arrays.copyOfRange(states, 2, states.length)));
        }
    }

    /** Block b (Eq. 1): Σ_j MixedOp_{j→b}(state j) over the states 0 .. b+1, summed left to right; the edges' branches as one job. */
    private Tensor block(int b, Tensor[] states, Tensor[] edgeWeights) {
        try (Scope block = Scope.open()) {
            int inputs = topology.inputsOf(b);
            MixedOp[] ops = new MixedOp[inputs];
            Tensor[] xs = new Tensor[inputs], ws = new Tensor[inputs];
            for (int j = 0; j < inputs; j++) {
                int e = topology.edge(b, j);
                ops[j] = edges[e];
                xs[j] = states[j];
                ws[j] = edgeWeights[e];
            }
            Tensor[] ys = MixedOp.forwardAll(ops, xs, ws);
            Tensor sum = ys[0];
            for (int j = 1; j < inputs; j++) sum = ElementwiseOps.add(sum, ys[j]);
            return block.keep(sum);
        }
    }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("SearchCell needs both inputs and α: forward(level, h1, s1, weights)");
    }
}
