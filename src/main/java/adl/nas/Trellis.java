package adl.nas;

import adl.autograd.ShapeOps;
import adl.autograd.WeightedSumOps;
import adl.memory.Scope;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network level of the supernet (paper §3.2, Eq. 6), built as data: a list of nodes, each
 * with its predecessors and its H^{l−2} source, walked by one loop — never a branch per layer.
 * H^l_v = Σ_p β̂^{l−1}_{p→v} · Cell_{l,v}(H^{l−1}_p, H^{l−2}_v).
 */
public final class Trellis extends Module {
    /**
     * One node (l, v) of layers 1..L. {@code prev2Layer}/{@code prev2Level} locate H^{l−2}: node
     * (l−2, v) if it exists, else the coarsest node of layer l−2 (layer −1 is the rate-2 stem
     * tensor, level −1; layer 0 the stem output).
     */
    public record Node(int layer, int level, int channels, List<Integer> predecessors, int prev2Layer, int prev2Level, SearchCell cell) {}

    private final TrellisLayout layout;
    private final List<Node> nodes = new ArrayList<>();

    public Trellis(Init init, TrellisLayout layout, CellTopology topology, int filterMultiplier) {
        this.layout = layout;
        for (int l = 1; l <= layout.layers(); l++) {
            for (int v = 0; v < TrellisLayout.LEVELS; v++) {
                if (!layout.exists(l, v)) continue;
                Map<Integer, Integer> preds = new LinkedHashMap<>();
                for (int u = v - 1; u <= v + 1; u++) {
                    if (u >= 0 && layout.valid(l - 1, u, v - u + 1)) preds.put(u, channels(l - 1, u, topology, filterMultiplier));
                }
                int p2Layer = l - 2;
                int p2Level = p2Layer < 0 ? -1 : layout.exists(p2Layer, v) ? v : Math.min(p2Layer, TrellisLayout.LEVELS - 1);
                int c = filterMultiplier << v;
                SearchCell cell = registerModule("cell_" + l + "_" + v, new SearchCell(init, topology, v, c, preds, p2Level,
                        channels(p2Layer, p2Level, topology, filterMultiplier)));
                nodes.add(new Node(l, v, topology.blocks() * c, List.copyOf(preds.keySet()), p2Layer, p2Level, cell));
            }
        }
    }

    /** Output width of node (layer, level): 64 for the rate-2 stem tensor, 128 for the stem node, else B·F·2^v. */
    static int channels(int layer, int level, CellTopology topology, int filterMultiplier) {
        if (layer < 0) return Stem.RATE2_CHANNELS;
        if (layer == 0) return Stem.RATE4_CHANNELS;
        return topology.blocks() * (filterMultiplier << level);
    }

    public List<Node> nodes() { return nodes; }

    public TrellisLayout layout() { return layout; }

    /**
     * @param rate2       the stem's rate-2 tensor [N, 64, h2, w2]
     * @param stem        the stem node [N, 128, h4, w4]
     * @param sizes       sizes[v] = {height, width} of level v
     * @param edgeWeights per α row e, softmax(α_e) at the computed ops' columns ({@link ArchParameters#edgeWeights})
     * @param betaHat     β̂ flattened, [L·4·3] (index (l·4 + u)·3 + d)
     * @return every node's output, keyed by (layer, level); layer L holds the heads' inputs
     */
    public Map<Long, Tensor> forward(Tensor rate2, Tensor stem, int[][] sizes, Tensor[] edgeWeights, Tensor betaHat) {
        Map<Long, Tensor> h = new HashMap<>();
        h.put(key(-1, -1), rate2);
        h.put(key(0, 0), stem);
        for (Node n : nodes) {
            // the node's intermediates close with its scope; their memory lives on where backward saved it
            try (Scope node = Scope.open()) {
                int height = sizes[n.level()][0], width = sizes[n.level()][1];
                Tensor s1 = n.cell().preprocessPrev2(h.get(key(n.prev2Layer(), n.prev2Level())), height, width);
                Tensor[] outs = new Tensor[n.predecessors().size()];
                Tensor[] weights = new Tensor[outs.length];
                for (int i = 0; i < outs.length; i++) {
                    int u = n.predecessors().get(i);
                    outs[i] = n.cell().forward(u, h.get(key(n.layer() - 1, u)), s1, edgeWeights);
                    int d = n.level() - u + 1;
                    weights[i] = ShapeOps.slice(betaHat, 0, ((n.layer() - 1) * TrellisLayout.LEVELS + u) * TrellisLayout.DIRECTIONS + d, 1);
                }
                h.put(key(n.layer(), n.level()), node.keep(WeightedSumOps.weightedSum(outs, ShapeOps.concat(0, weights))));
            }
        }
        return h;
    }

    public static long key(int layer, int level) { return ((long) layer << 32) | (level & 0xffffffffL); }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Trellis.forward needs the stem outputs and α, β");
    }
}
