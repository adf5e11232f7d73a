package adl.nas.retrain;

import java.util.List;
import java.util.Locale;

/**
 * What a shape-only walk of a {@link FixedNetwork} finds for one image of {@code height × width}:
 * each stage's output shape [C, H, W], the parameters it owns and its multiply-adds (convolutions
 * only, counted plainly: k·k·(Cin/groups)·Cout·Hout·Wout), in forward order.
 */
public record NetworkSummary(int height, int width, List<Stage> stages) {
    /** One endpoint: {@code key} as {@link FixedNetwork#endpoints} names it. */
    public record Stage(String key, String description, int[] chw, long params, long macs) {
        public Stage { chw = chw.clone(); }

        @Override public int[] chw() { return chw.clone(); }
    }

    public NetworkSummary { stages = List.copyOf(stages); }

    /** Every trainable scalar of the network. */
    public long params() { return stages.stream().mapToLong(Stage::params).sum(); }

    /** Multiply-adds of one forward pass over one image. */
    public long macs() { return stages.stream().mapToLong(Stage::macs).sum(); }

    public Stage stage(String key) {
        for (Stage s : stages) if (s.key().equals(key)) return s;
        throw new IllegalArgumentException("no stage '" + key + "'; stages are " + stages.stream().map(Stage::key).toList());
    }

    /** A fixed-width table, one stage per line, then a totals line. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-10s %-28s %-18s %12s %16s%n", "stage", "", "output [C, H, W]", "params", "multiply-adds"));
        for (Stage s : stages) {
            sb.append(String.format(Locale.ROOT, "%-10s %-28s %-18s %,12d %,16d%n", s.key(), s.description(),
                    "[" + s.chw[0] + ", " + s.chw[1] + ", " + s.chw[2] + "]", s.params(), s.macs()));
        }
        sb.append(String.format(Locale.ROOT, "%-10s %-28s %-18s %,12d %,16d%n", "total", "", "", params(), macs()));
        return sb.toString();
    }
}
