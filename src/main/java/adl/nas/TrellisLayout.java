package adl.nas;

/**
 * The network-level search space as data (paper §3.2, Fig. 1): layers 0..L over levels 0..3,
 * level v at rate 4·2^v. Layer 0 is the stem node (level 0 only); node (l, v) exists for
 * v ≤ min(l, 3). β is [L][4][3]: β[l][u][d] is the edge out of node (l, u) into layer l+1,
 * d = 0 to level u−1 (finer), 1 to level u, 2 to level u+1 (coarser). An edge is valid when
 * its source and target nodes exist.
 */
public record TrellisLayout(int layers) {
    public static final int LEVELS = 4;
    /** Directions d: to the finer level, the same level, the coarser level. */
    public static final int DIRECTIONS = 3;

    public TrellisLayout {
        if (layers < 1) throw new IllegalArgumentException("the trellis needs at least one layer, got " + layers);
    }

    /** Whether node (layer, level) exists. */
    public boolean exists(int layer, int level) {
        return layer >= 0 && layer <= layers && level >= 0 && level <= Math.min(layer, LEVELS - 1);
    }

    /** Level reached from {@code level} in direction d. */
    public static int target(int level, int d) { return level + d - 1; }

    /** Whether β[layer][level][d] is a real edge (layer in 0..L−1). */
    public boolean valid(int layer, int level, int d) {
        return layer < layers && exists(layer, level) && exists(layer + 1, target(level, d));
    }

    /** Number of nodes over layers 1..L (45 for L = 12). */
    public int searchNodes() {
        int n = 0;
        for (int l = 1; l <= layers; l++) for (int v = 0; v < LEVELS; v++) if (exists(l, v)) n++;
        return n;
    }

    /**
     * β̂ = softmax of β over the valid outgoing edges of each node (paper Eq. 7); invalid slots
     * are 0. Input and output are [L][4][3].
     */
    public double[][][] normalize(double[][][] beta) {
        if (beta.length != layers) throw new IllegalArgumentException("β has " + beta.length + " layers, expected " + layers);
        double[][][] out = new double[layers][LEVELS][DIRECTIONS];
        for (int l = 0; l < layers; l++) {
            for (int u = 0; u < LEVELS; u++) {
                if (!exists(l, u)) continue;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int d = 0; d < DIRECTIONS; d++) if (valid(l, u, d)) max = Math.max(max, beta[l][u][d]);
                for (int d = 0; d < DIRECTIONS; d++) if (valid(l, u, d)) sum += out[l][u][d] = Math.exp(beta[l][u][d] - max);
                for (int d = 0; d < DIRECTIONS; d++) out[l][u][d] /= sum;
            }
        }
        return out;
    }
}
