package adl.cli.bench;

import java.util.Locale;

/**
 * The `bench ops` table, as a Markdown table so it pastes into docs/performance.md. The same
 * columns, widths and number formats as scripts/bench_ops_torch.py, so the two line up.
 */
public final class OpsTable {
    private OpsTable() {}

    public static String header() {
        return String.format(Locale.ROOT, "| %-10s | %3s | %-7s | %9s | %13s | %11s | %15s |%n|%s|%s|%s|%s|%s|%s|%s|",
                "op", "C", "HxW", "fwd ms", "fwd+bwd ms", "fwd GFLOP/s", "fwd+bwd GFLOP/s",
                "-".repeat(12), "----:", "-".repeat(9), "-".repeat(10) + ":", "-".repeat(14) + ":",
                "-".repeat(12) + ":", "-".repeat(16) + ":");
    }

    /** One row; fwd+bwd work is counted as 3× the forward FLOPs (data + filter gradients). */
    public static String row(ConvCase c, double fwdMs, double fwdBwdMs) {
        double f = c.forwardFlops();
        return String.format(Locale.ROOT, "| %-10s | %3d | %-7s | %9.3f | %13.3f | %11.2f | %15.2f |",
                c.op(), c.c(), c.size() + "x" + c.size(), fwdMs, fwdBwdMs, f / (fwdMs * 1e6), 3 * f / (fwdBwdMs * 1e6));
    }
}
