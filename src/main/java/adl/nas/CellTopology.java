package adl.nas;

/**
 * The edge layout of a cell with B blocks (paper §3.1). States: 0 = H^{l-1} (preprocessed),
 * 1 = H^{l-2} (preprocessed), 2 + k = output of block k. Block i reads states 0 .. i+1, so it
 * has 2 + i edges; edge e of α for (block i, state j) is e = Σ_{k<i} (2 + k) + j.
 * B = 5 gives 2 + 3 + 4 + 5 + 6 = 20 edges. Every edge chooses among the ops of {@code space}
 * (its columns of α), so the cell-level search space is edges × ops.
 */
public record CellTopology(int blocks, SearchSpace space) {
    public CellTopology {
        if (blocks < 1) throw new IllegalArgumentException("a cell needs at least one block, got " + blocks);
        if (space == null) throw new IllegalArgumentException("a cell needs a search space");
    }

    /** B blocks over the paper's ops ({@link SearchSpace#PAPER}). */
    public CellTopology(int blocks) { this(blocks, SearchSpace.PAPER); }

    /** Number of edges = rows of α. */
    public int edges() { return blocks * (blocks + 3) / 2; }

    /** Number of inputs of block i (2 + i). */
    public int inputsOf(int block) { return 2 + block; }

    /** Row of α for the edge from state {@code state} into block {@code block}. */
    public int edge(int block, int state) {
        if (block < 0 || block >= blocks || state < 0 || state >= 2 + block) {
            throw new IllegalArgumentException("no edge from state " + state + " into block " + block + " of a " + blocks + "-block cell");
        }
        return block * (block + 3) / 2 + state;
    }
}
