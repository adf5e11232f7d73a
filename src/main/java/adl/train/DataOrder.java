package adl.train;

import java.util.SplittableRandom;

/**
 * The seeded orders in which a search visits its data (docs/03-bilevel.md §2): the training split is
 * permuted once with the seed into A (first ⌈n/2⌉, weights) and B (the rest, architecture);
 * epoch e walks A in its own permutation; B is drawn in permutations of its own, cycling. Every
 * index depends on (seed, position) only, so a resumed run draws exactly the same batches.
 */
public final class DataOrder {
    private static final long SPLIT = 0x5EED_0001L, ORDER_A = 0x5EED_000AL, ORDER_B = 0x5EED_000BL;

    private final long seed;
    private final int[] a, b;

    public DataOrder(long seed, int trainImages) {
        this.seed = seed;
        int[] all = permutation(trainImages, mix(seed, SPLIT, 0));
        int sizeA = (trainImages + 1) / 2;
        a = java.util.Arrays.copyOfRange(all, 0, sizeA);
        b = java.util.Arrays.copyOfRange(all, sizeA, trainImages);
    }

    public int[] a() { return a.clone(); }

    public int[] b() { return b.clone(); }

    /** Dataset indices of the weight batch {@code iter} of {@code epoch}. */
    public int[] batchA(int epoch, int iter, int batch) {
        int[] out = new int[batch];
        for (int k = 0; k < batch; k++) {
            long p = (long) iter * batch + k;
            int cycle = (int) (p / a.length);
            out[k] = a[permutation(a.length, mix(seed, ORDER_A, ((long) epoch << 20) + cycle))[(int) (p % a.length)]];
        }
        return out;
    }

    /** Dataset indices of architecture batch number {@code step} (B cycles in fresh permutations). */
    public int[] batchB(long step, int batch) {
        int[] out = new int[batch];
        for (int k = 0; k < batch; k++) {
            long p = step * batch + k;
            long cycle = p / b.length;
            out[k] = b[permutation(b.length, mix(seed, ORDER_B, cycle))[(int) (p % b.length)]];
        }
        return out;
    }

    /** Fisher–Yates permutation of 0..n-1 from a seed. */
    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static long mix(long seed, long stream, long index) {
        long z = seed * 0x9E3779B97F4A7C15L ^ stream * 0xBF58476D1CE4E5B9L ^ index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
