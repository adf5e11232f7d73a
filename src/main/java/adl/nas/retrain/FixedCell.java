package adl.nas.retrain;

import adl.autograd.ElementwiseOps;
import adl.autograd.ResizeOps;
import adl.autograd.ShapeOps;
import adl.nas.CellEdge;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.List;

/**
 * One cell of the retrained network (docs/06-retrain.md §1–2, paper §5.2, hnasnet's NASBaseCell):
 * <pre>
 *   H^{l−2} → bilinear resize to H^{l−1}'s size (if it differs) → [ReLU → 1×1 → BN] (if its width ≠ C)  = state 1
 *   H^{l−1} → ReLU → 1×1 → BN                                                                   = state 0
 *   block b = op_{2b}(state_{in(2b)}) + op_{2b+1}(state_{in(2b+1)}),  state 2 + b = block b
 *   output = concat(blocks)                                           [N, B·C, h', w']
 * </pre>
 * Going up a level (stride 2) both inputs are prepared at H^{l−1}'s finer size and only the ops
 * reading state 0 or 1 take stride 2, giving ⌈h/2⌉; going down, the network resizes H^{l−1} to
 * the cell's level before the cell. During training each op's output except skip_connect's is
 * dropped per sample with the scheduled drop-path keep probability. State names:
 * {@code pre_prev.*}, {@code pre_prev2.*} (only when H^{l−2}'s width is not C), {@code ops.<k>.*}
 * with k the architecture's cell entry.
 */
public final class FixedCell extends Module {
    private final List<CellEdge> edges;
    private final ConvBn prePrev, prePrev2;
    private final ModuleList<CellOps.Op> ops;
    private final int index, cells, channels;
    private final double dropPathKeep;
    private final DropSchedule drops;

    /**
     * @param index        the cell's position along the path (0-based), for drop-path scheduling
     * @param prevChannels width of H^{l−1}
     * @param prev2Channels width of H^{l−2}
     * @param stride       2 when the path goes up a level at this cell, else 1
     */
    FixedCell(Init init, FixedNetwork.Config cfg, DropSchedule drops, int index, int channels,
              int prevChannels, int prev2Channels, int stride) {
        if (stride != 1 && stride != 2) throw new IllegalArgumentException("cell stride must be 1 or 2, got " + stride);
        this.edges = cfg.architecture().cell();
        this.index = index;
        this.cells = cfg.architecture().layers();
        this.channels = channels;
        this.dropPathKeep = cfg.dropPathKeep();
        this.drops = drops;
        prePrev = registerModule("pre_prev", new ConvBn(init, cfg, prevChannels, channels, 1, 1, 1, false));
        prePrev2 = prev2Channels == channels ? null
                : registerModule("pre_prev2", new ConvBn(init, cfg, prev2Channels, channels, 1, 1, 1, false));
        ops = registerModule("ops", new ModuleList<>());
        for (CellEdge e : edges) ops.add(CellOps.create(init, cfg, e.op(), channels, e.input() < 2 ? stride : 1));
    }

    /** Output width B·C. */
    public int outChannels() { return edges.size() / 2 * channels; }

    /** h1 = H^{l−1} [N, ·, h, w] (already at the level's size when going down), h2 = H^{l−2} [N, ·, ·, ·]. */
    public Tensor forward(Tensor h1, Tensor h2) {
        if (h2.dim(2) != h1.dim(2) || h2.dim(3) != h1.dim(3)) h2 = ResizeOps.bilinear(h2, h1.dim(2), h1.dim(3), false);
        Tensor[] states = new Tensor[2 + edges.size() / 2];
        states[0] = prePrev.forward(ElementwiseOps.relu(h1));
        states[1] = prePrev2 == null ? h2 : prePrev2.forward(ElementwiseOps.relu(h2));
        boolean drop = isTraining() && dropPathKeep < 1;
        double keep = drop ? drops.dropPathKeep(dropPathKeep, index, cells) : 1;
        for (int b = 0; b < states.length - 2; b++) {
            Tensor sum = null;
            for (int k = 2 * b; k < 2 * b + 2; k++) {
                CellOps.Op op = ops.get(k);
                Tensor y = op.forward(states[edges.get(k).input()]);
                if (drop && op.droppable()) y = drops.dropPath(y, keep, site(index, k));
                sum = sum == null ? y : ElementwiseOps.add(sum, y);
            }
            states[2 + b] = sum;
        }
        Tensor[] blocks = new Tensor[states.length - 2];
        System.arraycopy(states, 2, blocks, 0, blocks.length);
        return ShapeOps.concat(1, blocks);
    }

    /**
     * {@link #forward(Tensor, Tensor)} in {@code g} (eval mode); {@code resizeH2} when H^{l−2} lies
     * at another level than h1 (the graph's sizes are symbolic, so the network says so).
     */
    String emit(GraphSink g, String h1, String h2, boolean resizeH2) {
        if (resizeH2) h2 = g.resizeLike(h2, h1);
        String[] states = new String[2 + edges.size() / 2];
        states[0] = prePrev.emit(g, g.relu(h1));
        states[1] = prePrev2 == null ? h2 : prePrev2.emit(g, g.relu(h2));
        for (int b = 0; b < states.length - 2; b++) {
            String l = ops.get(2 * b).emit(g, states[edges.get(2 * b).input()]);
            states[2 + b] = g.add(l, ops.get(2 * b + 1).emit(g, states[edges.get(2 * b + 1).input()]));
        }
        String[] blocks = new String[states.length - 2];
        System.arraycopy(states, 2, blocks, 0, blocks.length);
        return g.concat(blocks);
    }

    /** The drop site of op k of cell i (site 0 is the ASPP dropout). */
    static long site(int cell, int op) { return 1 + (long) cell * 1024 + op; }

    /** Shape-only twin of {@link #forward(Tensor, Tensor)}: chw1, chw2 [C, H, W] → output [B·C, h', w']. */
    int[] trace(int[] chw1, int[] chw2, Cost cost) {
        int[][] states = new int[2 + edges.size() / 2][];
        states[0] = prePrev.trace(chw1, cost);
        int[] h2 = {chw2[0], chw1[1], chw1[2]};
        states[1] = prePrev2 == null ? h2 : prePrev2.trace(h2, cost);
        for (int b = 0; b < states.length - 2; b++) {
            int[] l = ops.get(2 * b).trace(states[edges.get(2 * b).input()], cost);
            int[] r = ops.get(2 * b + 1).trace(states[edges.get(2 * b + 1).input()], cost);
            if (l[1] != r[1] || l[2] != r[2]) {
                throw new IllegalStateException("cell " + index + " block " + b + ": its two ops give " + l[1] + "x" + l[2] + " and " + r[1] + "x" + r[2]);
            }
            states[2 + b] = l;
        }
        return new int[] {outChannels(), states[2][1], states[2][2]};
    }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("FixedCell needs both inputs: forward(h1, h2)");
    }
}
