package adl.backend.cpu;

/**
 * Single-threaded F32 matrix product C (+)= A · B, the engine of the convolution and matmul
 * kernels (callers split the work into tasks).
 *
 * <p>Why the operand layout: HotSpot's C2 auto-vectoriser only vectorises a loop when every
 * array access in it that could alias another uses the same index expression ({@code q[j]},
 * {@code p[j]}): a store to {@code c[co + j]} next to a load of {@code b[bo + j]} stays scalar,
 * because c and b might be one array. So B is passed as a panel of separate row arrays
 * ({@code float[][]}, column 0 first, filled by the caller's im2col or packing step), four rows of
 * C are accumulated in four scratch arrays indexed like the panel, and copied to C afterwards.
 * Each pass does 4 rows x 4 values of k = 16 fused multiply-adds per column (measured 30-40
 * GFLOP/s per core on AVX2 against 4-8 for the same loop with offset indices).
 *
 * <p>Every element of C is {@code fma(A(i,k), B(k,j), ·)} chained over k = 0..K-1 in increasing
 * order starting from 0 (then added to C when accumulating), whatever the blocking: results do not
 * depend on how the caller tiles the problem.
 */
final class CpuGemm {
    /** Initial accumulator length; callers keep N (columns per call) around this so 4 rows stay in L1. */
    static final int NB = 512;

    private CpuGemm() {}

    /** Per-thread scratch: accumulators, the packed B panel, a flat buffer, plane buffers and an int buffer (contents undefined). */
    static final class Scratch {
        float[] q0 = new float[NB], q1 = new float[NB], q2 = new float[NB], q3 = new float[NB];
        private float[][] panel = new float[0][], rows = new float[0][];
        private float[] flat = new float[0], planeA = new float[0], planeB = new float[0], planeC = new float[0];

        /** A panel of at least {@code rows} arrays of at least {@code cols} floats. */
        float[][] panel(int rows, int cols) { return panel = grow(panel, rows, cols); }

        /** A second, independent panel (used for per-row partial sums). */
        float[][] rows(int rows, int cols) { return this.rows = grow(this.rows, rows, cols); }

        private static float[][] grow(float[][] p, int rows, int cols) {
            if (p.length < rows) p = java.util.Arrays.copyOf(p, Math.max(rows, p.length * 2));
            for (int r = 0; r < rows; r++) {
                if (p[r] == null || p[r].length < cols) p[r] = new float[Math.max(cols, 64)];
            }
            return p;
        }

        void accumulators(int n) {
            if (q0.length < n) {
                q0 = new float[n];
                q1 = new float[n];
                q2 = new float[n];
                q3 = new float[n];
            }
        }

        private int[] ints = new int[0];

        float[] flat(int n) { return flat.length >= n ? flat : (flat = new float[n]); }
        int[] ints(int n) { return ints.length >= n ? ints : (ints = new int[n]); }
        float[] planeA(int n) { return planeA.length >= n ? planeA : (planeA = new float[n]); }
        float[] planeB(int n) { return planeB.length >= n ? planeB : (planeB = new float[n]); }
        float[] planeC(int n) { return planeC.length >= n ? planeC : (planeC = new float[n]); }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() { return SCRATCH.get(); }

    /**
     * C[i, j] (+)= Σ_k A(i, k) · B(k, j) for i < M, j < N, k < K, where
     * A(i, k) = a[aOff + i·sai + k·sak], B(k, j) = b[k][j], C[i, j] = c[cOff + i·ldc + j].
     * Overwrites C unless {@code accumulate}. C must not share memory with A or B.
     */
    static void gemm(int M, int N, int K, float[] a, int aOff, int sai, int sak, float[][] b,
                     float[] c, int cOff, int ldc, boolean accumulate, Scratch s) {
        if (M <= 0 || N <= 0) return;
        s.accumulators(N);
        int i = 0;
        for (; i + 4 <= M; i += 4) {
            rows4(N, K, a, aOff + i * sai, sai, sak, b, s);
            store(s.q0, N, c, cOff + i * ldc, accumulate);
            store(s.q1, N, c, cOff + (i + 1) * ldc, accumulate);
            store(s.q2, N, c, cOff + (i + 2) * ldc, accumulate);
            store(s.q3, N, c, cOff + (i + 3) * ldc, accumulate);
        }
        for (; i < M; i++) {
            row1(N, K, a, aOff + i * sai, sak, b, s.q0);
            store(s.q0, N, c, cOff + i * ldc, accumulate);
        }
    }

    private static void store(float[] q, int n, float[] c, int co, boolean accumulate) {
        if (accumulate) {
            for (int j = 0; j < n; j++) c[co + j] += q[j];
        } else {
            System.arraycopy(q, 0, c, co, n);
        }
    }

    /** q0..q3[0, n) = rows 0..3 of A (starting at ao) times B. (A loop from a variable start does not vectorise.) */
    private static void rows4(int n, int K, float[] a, int ao, int sai, int sak, float[][] b, Scratch s) {
        float[] q0 = s.q0, q1 = s.q1, q2 = s.q2, q3 = s.q3;
        java.util.Arrays.fill(q0, 0, n, 0f);
        java.util.Arrays.fill(q1, 0, n, 0f);
        java.util.Arrays.fill(q2, 0, n, 0f);
        java.util.Arrays.fill(q3, 0, n, 0f);
        int r0 = ao, r1 = ao + sai, r2 = r1 + sai, r3 = r2 + sai;
        int k = 0;
        for (; k + 4 <= K; k += 4) {
            int o0 = k * sak, o1 = o0 + sak, o2 = o1 + sak, o3 = o2 + sak;
            float a00 = a[r0 + o0], a01 = a[r0 + o1], a02 = a[r0 + o2], a03 = a[r0 + o3];
            float a10 = a[r1 + o0], a11 = a[r1 + o1], a12 = a[r1 + o2], a13 = a[r1 + o3];
            float a20 = a[r2 + o0], a21 = a[r2 + o1], a22 = a[r2 + o2], a23 = a[r2 + o3];
            float a30 = a[r3 + o0], a31 = a[r3 + o1], a32 = a[r3 + o2], a33 = a[r3 + o3];
            float[] p0 = b[k], p1 = b[k + 1], p2 = b[k + 2], p3 = b[k + 3];
            for (int j = 0; j < n; j++) {
                float x0 = p0[j], x1 = p1[j], x2 = p2[j], x3 = p3[j];
                q0[j] = Math.fma(a03, x3, Math.fma(a02, x2, Math.fma(a01, x1, Math.fma(a00, x0, q0[j]))));
                q1[j] = Math.fma(a13, x3, Math.fma(a12, x2, Math.fma(a11, x1, Math.fma(a10, x0, q1[j]))));
                q2[j] = Math.fma(a23, x3, Math.fma(a22, x2, Math.fma(a21, x1, Math.fma(a20, x0, q2[j]))));
                q3[j] = Math.fma(a33, x3, Math.fma(a32, x2, Math.fma(a31, x1, Math.fma(a30, x0, q3[j]))));
            }
        }
        for (; k < K; k++) {
            int o = k * sak;
            float a0 = a[r0 + o], a1 = a[r1 + o], a2 = a[r2 + o], a3 = a[r3 + o];
            float[] p = b[k];
            for (int j = 0; j < n; j++) {
                float x = p[j];
                q0[j] = Math.fma(a0, x, q0[j]);
                q1[j] = Math.fma(a1, x, q1[j]);
                q2[j] = Math.fma(a2, x, q2[j]);
                q3[j] = Math.fma(a3, x, q3[j]);
            }
        }
    }

    /** q[0, n) = one row of A (at ao) times B; same k order as {@link #rows4}. */
    private static void row1(int n, int K, float[] a, int ao, int sak, float[][] b, float[] q) {
        java.util.Arrays.fill(q, 0, n, 0f);
        int k = 0;
        for (; k + 4 <= K; k += 4) {
            int o = ao + k * sak;
            float a0 = a[o], a1 = a[o + sak], a2 = a[o + 2 * sak], a3 = a[o + 3 * sak];
            float[] p0 = b[k], p1 = b[k + 1], p2 = b[k + 2], p3 = b[k + 3];
            for (int j = 0; j < n; j++) q[j] = Math.fma(a3, p3[j], Math.fma(a2, p2[j], Math.fma(a1, p1[j], Math.fma(a0, p0[j], q[j]))));
        }
        for (; k < K; k++) {
            float av = a[ao + k * sak];
            float[] p = b[k];
            for (int j = 0; j < n; j++) q[j] = Math.fma(av, p[j], q[j]);
        }
    }

    /**
     * Copies rows [k0, k0 + rows) x columns [j0, j0 + cols) of a row-major matrix (row stride ld)
     * into panel rows 0.., or of its transpose when {@code trans} (then element (k, j) is read
     * from src[off + j·ld + k]).
     */
    static float[][] pack(float[] src, int off, int ld, boolean trans, int k0, int rows, int j0, int cols, Scratch s) {
        float[][] p = s.panel(rows, cols);
        if (!trans) {
            for (int k = 0; k < rows; k++) System.arraycopy(src, off + (k0 + k) * ld + j0, p[k], 0, cols);
        } else {
            for (int k = 0; k < rows; k++) {
                float[] row = p[k];
                int base = off + j0 * ld + k0 + k;
                for (int j = 0; j < cols; j++) row[j] = src[base + j * ld];
            }
        }
        return p;
    }
}
