package adl.backend.cpu;

import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * Reuses freed CPU arrays by exact length. A training step makes the same shapes every
 * iteration, so after the first step almost every allocation is a reuse (no GC churn, no
 * zeroing). Bounded: beyond {@link #MAX_POOLED_BYTES} (default the smaller of 2 GiB and an eighth
 * of the maximum heap, which with {@link CpuResidency}'s budget of half of it leaves the rest of
 * the heap to the autograd graph) freed arrays are left to the GC.
 * Arrays handed out have undefined contents.
 */
final class CpuArrayPool {
    static final long MAX_POOLED_BYTES = Long.getLong("adl.cpu.poolBytes", Math.min(2L << 30, Runtime.getRuntime().maxMemory() / 8));

    private static final HashMap<Integer, ArrayDeque<float[]>> FLOATS = new HashMap<>();
    private static final HashMap<Integer, ArrayDeque<double[]>> DOUBLES = new HashMap<>();
    private static final HashMap<Integer, ArrayDeque<int[]>> INTS = new HashMap<>();
    private static long pooledBytes;

    private CpuArrayPool() {}

    static synchronized float[] takeFloats(int n) {
        ArrayDeque<float[]> q = FLOATS.get(n);
        if (q != null && !q.isEmpty()) {
            pooledBytes -= 4L * n;
            return q.pop();
        }
        return new float[n];
    }

    static synchronized double[] takeDoubles(int n) {
        ArrayDeque<double[]> q = DOUBLES.get(n);
        if (q != null && !q.isEmpty()) {
            pooledBytes -= 8L * n;
            return q.pop();
        }
        return new double[n];
    }

    static synchronized int[] takeInts(int n) {
        ArrayDeque<int[]> q = INTS.get(n);
        if (q != null && !q.isEmpty()) {
            pooledBytes -= 4L * n;
            return q.pop();
        }
        return new int[n];
    }

    static synchronized void give(float[] a) {
        if (pooledBytes + 4L * a.length > MAX_POOLED_BYTES) return;
        pooledBytes += 4L * a.length;
        FLOATS.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    static synchronized void give(double[] a) {
        if (pooledBytes + 8L * a.length > MAX_POOLED_BYTES) return;
        pooledBytes += 8L * a.length;
        DOUBLES.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    static synchronized void give(int[] a) {
        if (pooledBytes + 4L * a.length > MAX_POOLED_BYTES) return;
        pooledBytes += 4L * a.length;
        INTS.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /** Drops every pooled array (for tests and memory measurements). */
    static synchronized void clear() {
        FLOATS.clear();
        DOUBLES.clear();
        INTS.clear();
        pooledBytes = 0;
    }
}
