package adl.backend.cpu;

/**
 * A short probe of what this machine's CPU backend can do at best: the F32 GEMM kernel under every
 * non-depthwise convolution ({@link CpuGemm}) on one im2col-sized block per task (filled once, multiplied four times), M = 64 output
 * channels × N = 512 pixels × K = 576 (64 channels × 3×3 taps), one task per thread at a time,
 * the operands resident in cache. {@code bench search-step} prints the step's convolution
 * GFLOP/s next to it (docs/performance.md): the distance between the two is what is left to gain
 * in the kernels, not a promise (the search's convolutions are mostly far smaller, and depthwise).
 */
public final class GemmPeak {
    static final int M = 64, N = 512, K = 576, REPEAT = 4;

    private GemmPeak() {}

    /**
     * Runs rounds of {@code 4 × threads} block products on {@link Parallel} for about {@code millis}
     * ms in all (at least three rounds) and returns the best round's GFLOP/s.
     */
    public static double gflops(long millis) {
        int tasks = 4 * Parallel.threads();
        float[] a = new float[M * K];
        for (int i = 0; i < a.length; i++) a[i] = (i % 7) * 0.125f - 0.375f;
        double best = 0;
        long end = System.nanoTime() + millis * 1_000_000L;
        for (int round = 0; round < 3 || System.nanoTime() < end; round++) {
            long t0 = System.nanoTime();
            Parallel.forEach(tasks, 2L * M * N * K, t -> {
                CpuGemm.Scratch s = CpuGemm.scratch();
                float[][] b = s.panel(K, N);
                for (int k = 0; k < K; k++) java.util.Arrays.fill(b[k], 0, N, (k % 5) * 0.25f);
                float[] c = s.flat(M * N);
                for (int r = 0; r < REPEAT; r++) CpuGemm.gemm(M, N, K, a, 0, K, 1, b, c, 0, N, r > 0, s);
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 2.0 * M * N * K * REPEAT * tasks / seconds / 1e9);
            if (round > 1000) break;
        }
        return best;
    }
}
