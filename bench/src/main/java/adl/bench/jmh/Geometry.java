package adl.bench.jmh;

/**
 * Tensor geometry of the search supernet (docs/02-search-space.md §5) at batch 2, crop 321: level v (rate 4·2^v)
 * has spatial size 81 / 41 / 21 / 11 (⌈h/2⌉ per stride-2 step) and C = F·2^v filters per block
 * with F = 8. A MixedOp's weighted sum sees K = 7 computed inputs of [N, C, h, h]; a trellis
 * node's sums K ≤ 3 cell outputs of [N, 5C, h, h]. bench/report.py mirrors these formulas.
 */
final class Geometry {
    private Geometry() {}

    static final int BATCH = 2;
    static final int CROP = 321;
    static final int F = 8;
    static final int BLOCKS = 5;

    /** Spatial size of level v for a square crop. */
    static int size(int crop, int level) {
        int h = crop;
        for (int i = 0; i < level + 2; i++) h = (h + 1) / 2;
        return h;
    }

    static int size(int level) { return size(CROP, level); }

    /** Filters per block at level v. */
    static int channels(int level) { return F << level; }

    /**
     * "mixed" = a MixedOp's sum (K = 7 inputs of C channels), "mixed8" = the same with K = 8 (a
     * search space whose 8 candidates are all computed), "node" = a trellis node's (K = 3 of 5C).
     */
    static int inputs(String kind) {
        return switch (kind) {
            case "mixed" -> 7;
            case "mixed8" -> 8;
            case "node" -> 3;
            default -> throw new IllegalArgumentException("kind must be mixed, mixed8 or node, got '" + kind + "'");
        };
    }

    /** Shape [N, C', h, h] of one weighted-sum input (and its output) for kind at level. */
    static int[] sumDims(String kind, int level) {
        int c = kind.equals("node") ? BLOCKS * channels(level) : channels(level);
        int h = size(level);
        return new int[] {BATCH, c, h, h};
    }

    static long numel(int[] dims) {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }
}
