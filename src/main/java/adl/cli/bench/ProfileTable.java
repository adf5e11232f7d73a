package adl.cli.bench;

import adl.backend.ProfilingBackend;
import adl.backend.ProfilingBackend.Family;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints a {@link ProfilingBackend}'s counters as a per-iteration table: one row per op family
 * (ms per iteration, % of the mean iteration time, calls per iteration), then the time spent
 * outside the backend's primitives (autograd bookkeeping, handle creation, Java), then the total.
 * Every line starts with {@code profile:}.
 */
public final class ProfileTable {
    private ProfileTable() {}

    /**
     * @param iterations the iterations the counters cover (≥ 1)
     * @param wallNanos  their total wall time
     */
    public static void print(PrintWriter out, ProfilingBackend p, int iterations, long wallNanos) {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        double iterMs = wallNanos / 1e6 / iterations;
        out.printf(Locale.ROOT, "profile: %-28s %10s %7s %12s%n", "family", "ms/iter", "%", "calls/iter");
        long inside = 0, calls = 0;
        for (Family f : Family.values()) {
            inside += p.nanos(f);
            calls += p.calls(f);
            row(out, f.label, p.nanos(f) / 1e6 / iterations, iterMs, (double) p.calls(f) / iterations);
        }
        row(out, "outside backend primitives", (wallNanos - inside) / 1e6 / iterations, iterMs, Double.NaN);
        row(out, "total", iterMs, iterMs, (double) calls / iterations);
    }

    private static void row(PrintWriter out, String label, double ms, double iterMs, double calls) {
        String c = Double.isNaN(calls) ? "-" : String.format(Locale.ROOT, "%.0f", calls);
        out.printf(Locale.ROOT, "profile: %-28s %10.1f %7.1f %12s%n", label, ms, iterMs > 0 ? 100 * ms / iterMs : 0, c);
    }
}
