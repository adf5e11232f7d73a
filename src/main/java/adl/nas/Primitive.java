package adl.nas;

/**
 * The 8 candidate operations of a cell edge (paper §3.1, DARTS), in the column order of α.
 * {@link #paperName()} prints exactly as the paper and architecture.json spell them.
 */
public enum Primitive {
    NONE("none"),
    MAX_POOL_3X3("max_pool_3x3"),
    AVG_POOL_3X3("avg_pool_3x3"),
    SKIP_CONNECT("skip_connect"),
    SEP_CONV_3X3("sep_conv_3x3"),
    SEP_CONV_5X5("sep_conv_5x5"),
    DIL_CONV_3X3("dil_conv_3x3"),
    DIL_CONV_5X5("dil_conv_5x5");

    private final String paperName;

    Primitive(String paperName) { this.paperName = paperName; }

    public String paperName() { return paperName; }

    /** Column of this op in α. */
    public int column() { return ordinal(); }

    public static Primitive byName(String name) {
        for (Primitive p : values()) if (p.paperName.equals(name)) return p;
        throw new IllegalArgumentException("unknown operation '" + name + "'; expected one of "
                + java.util.Arrays.stream(values()).map(Primitive::paperName).toList());
    }

    @Override public String toString() { return paperName; }
}
