package adl.nas;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The candidate operations of a cell edge as one table (paper §3.1; docs/02-search-space.md §2):
 * entry k is column k of α [E, K]. Each entry ({@link Primitive}) holds the op's paper name, how
 * the search builds it ({@link Primitive#searchBranch}, a {@link MixedOp} branch), how the retrained
 * network builds it (its family and kernel, read by nas/retrain/CellOps), and whether it is
 * parameter-free, the identity or the zero op. Everything sized by the ops reads it: MixedOp,
 * {@link ArchParameters} (α's columns), the decoders, the plots, and the PyTorch twin (through
 * the committed export scripts/search_space.json, {@link #toJson}).
 *
 * <p>Adding an op is one entry here plus its row in docs/02-search-space.md §2. A MixedOp sums
 * its computed ops (all but 'none') in one weighted sum, and the CUDA kernel takes at most
 * {@link #MAX_COMPUTED_OPS} = 8 inputs (WS_MAX_K in native-kernels/weighted_sum.cu): the paper's
 * space computes 7, so one extra computed op fits.
 */
public final class SearchSpace {
    /** The CUDA weighted sum's WS_MAX_K (native-kernels/weighted_sum.cu): inputs of one weighted sum. */
    public static final int MAX_COMPUTED_OPS = 8;

    /** The paper's space (Auto-DeepLab §3.1, as DARTS), in the column order of α. */
    public static final SearchSpace PAPER = new SearchSpace(List.of(
            Primitive.NONE,
            Primitive.MAX_POOL_3X3,
            Primitive.AVG_POOL_3X3,
            Primitive.SKIP_CONNECT,
            Primitive.SEP_CONV_3X3,
            Primitive.SEP_CONV_5X5,
            Primitive.DIL_CONV_3X3,
            Primitive.DIL_CONV_5X5));

    private final List<Primitive> ops;

    /**
     * @param ops the ops in α column order: unique names; at most one zero op, and then in column 0
     *            (the computed ops are the contiguous columns after it); 1..{@link #MAX_COMPUTED_OPS}
     *            computed ops
     */
    public SearchSpace(List<Primitive> ops) {
        this.ops = List.copyOf(ops);
        Set<String> names = new HashSet<>();
        for (int k = 0; k < this.ops.size(); k++) {
            Primitive p = this.ops.get(k);
            if (!names.add(p.paperName())) throw new IllegalArgumentException("op '" + p.paperName() + "' appears twice in the search space");
            if (p.isZero() && k != 0) throw new IllegalArgumentException("the zero op '" + p.paperName() + "' must be column 0, is column " + k);
        }
        int computed = computed().size();
        if (computed < 1 || computed > MAX_COMPUTED_OPS) {
            throw new IllegalArgumentException("a search space computes 1.." + MAX_COMPUTED_OPS + " ops (the CUDA weighted sum's limit), got " + computed);
        }
    }

    /** This space with {@code extra} appended as the last column. */
    public SearchSpace with(Primitive extra) {
        List<Primitive> more = new ArrayList<>(ops);
        more.add(extra);
        return new SearchSpace(more);
    }

    /** The ops in α column order. */
    public List<Primitive> ops() { return ops; }

    /** K, the columns of α. */
    public int size() { return ops.size(); }

    public Primitive op(int column) { return ops.get(column); }

    /** Column of {@code op} in α. */
    public int column(Primitive op) {
        int k = ops.indexOf(op);
        if (k < 0) throw new IllegalArgumentException("op '" + op + "' is not in this search space " + names());
        return k;
    }

    /** Column of the first computed op: 1 after 'none', else 0. */
    public int firstComputedColumn() { return ops.get(0).isZero() ? 1 : 0; }

    /** The ops a MixedOp computes (all but 'none'), in column order: columns firstComputedColumn().. size() − 1. */
    public List<Primitive> computed() { return ops.subList(firstComputedColumn(), ops.size()); }

    /** The op spelt {@code name}, as in architecture.json. */
    public Primitive byName(String name) {
        for (Primitive p : ops) if (p.paperName().equals(name)) return p;
        throw new IllegalArgumentException("unknown operation '" + name + "'; expected one of " + names());
    }

    /** The paper names in column order. */
    public List<String> names() { return ops.stream().map(Primitive::paperName).toList(); }

    /**
     * The table as JSON (the committed scripts/search_space.json is this for {@link #PAPER}):
     * {"max_computed_ops": 8, "ops": [{"column", "name", "family", "kernel", "zero", "identity", "parameter_free"}, ...]}.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n  \"max_computed_ops\": ").append(MAX_COMPUTED_OPS).append(",\n  \"ops\": [\n");
        for (int k = 0; k < ops.size(); k++) {
            Primitive p = ops.get(k);
            sb.append(String.format(Locale.ROOT,
                    "    {\"column\": %d, \"name\": \"%s\", \"family\": \"%s\", \"kernel\": %d, \"zero\": %b, \"identity\": %b, \"parameter_free\": %b}",
                    k, p.paperName(), p.family().name().toLowerCase(Locale.ROOT), p.kernel(), p.isZero(), p.isIdentity(), p.isParameterFree()));
            sb.append(k + 1 < ops.size() ? ",\n" : "\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    @Override public boolean equals(Object o) { return o instanceof SearchSpace s && s.ops.equals(ops); }

    @Override public int hashCode() { return ops.hashCode(); }

    @Override public String toString() { return names().toString(); }
}
