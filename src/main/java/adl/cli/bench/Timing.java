package adl.cli.bench;

import java.util.Arrays;

/** Median wall time of repeated runs after warm-up (System.nanoTime). */
public final class Timing {
    private Timing() {}

    /** Runs {@code body} warmup times untimed, then iters times timed; the median in milliseconds. */
    public static double medianMillis(int warmup, int iters, Runnable body) {
        if (iters < 1) throw new IllegalArgumentException("iters must be >= 1, got " + iters);
        for (int i = 0; i < warmup; i++) body.run();
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    /** The median; the mean of the two middle values for an even count. */
    public static double median(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("median of no values");
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
