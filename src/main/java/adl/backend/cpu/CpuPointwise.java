package adl.backend.cpu;

/**
 * F32 pointwise convolution (1x1, stride 1, no padding, one group): y[n] = W · x[n] with
 * x[n] a [Cin, P] matrix (P = H·W pixels), W [Cout, Cin], y[n] [Cout, P] — half of every sep_conv
 * and dil_conv of the search space (docs/02-search-space.md) and every preprocessing conv.
 *
 * <p>{@link CpuGemm} vectorises along the columns of its B panel. At the search's coarse levels
 * the planes are tiny (2x2, 4x4 pixels at crop 64) while the channels are many (32, 64): with the
 * pixels as columns every inner loop would be 4 long and scalar. Below {@link #SMALL_PLANE} pixels
 * the product is therefore taken transposed, y[n]ᵀ = x[n]ᵀ · Wᵀ, with the output channels as
 * columns, and the [P, Cout] result is transposed into y. Either way each output element is the
 * same fma chain over the input channels in increasing order starting from 0 (see CpuGemm), so the
 * two orientations give bitwise the same numbers.
 */
final class CpuPointwise {
    /** Planes with fewer pixels than this take the transposed product. */
    static final int SMALL_PLANE = 32;

    private CpuPointwise() {}

    /** x: [N, Cin, P], w: [Cout, Cin], y: [N, Cout, P] (offsets into the arrays). */
    static void forward(float[] x, int xo, float[] w, int wo, float[] y, int yo, int N, int Cin, int Cout, int P) {
        if (P < SMALL_PLANE && Cout > P) {
            // wt[ci][co] = w[co, ci], packed once in the caller's scratch panel; the tasks only read it
            float[][] wt = CpuGemm.pack(w, wo, Cin, true, 0, Cin, 0, Cout, CpuGemm.scratch());
            CpuConv.forEach(N, 2L * Cout * Cin * P, n -> {
                CpuGemm.Scratch s = CpuGemm.scratch();
                float[] t = s.flat(P * Cout);
                CpuGemm.gemm(P, Cout, Cin, x, xo + n * Cin * P, 1, P, wt, t, 0, Cout, false, s);
                transpose(t, P, Cout, y, yo + n * Cout * P);
            });
            return;
        }
        int pb = CpuConv.blockCols(Cin, P), pBlocks = CpuConv.ceilDiv(P, pb);
        CpuConv.forEach(N * pBlocks, 2L * Cout * Cin * pb, t -> {
            int pi = t % pBlocks, n = t / pBlocks;
            int p0 = pi * pb, len = Math.min(pb, P - p0);
            CpuGemm.Scratch s = CpuGemm.scratch();
            float[][] col = CpuGemm.pack(x, xo + n * Cin * P, P, false, 0, Cin, p0, len, s);   // the column matrix is x itself
            CpuGemm.gemm(Cout, len, Cin, w, wo, Cin, 1, col, y, yo + n * Cout * P + p0, P, false, s);
        });
    }

    /**
     * gx = Wᵀ · gy per sample, for planes below {@link #SMALL_PLANE} (taken as gxᵀ = gyᵀ · W);
     * returns false for larger planes, which CpuConv's blocked path handles.
     * gy: [N, Cout, P], w: [Cout, Cin], gx: [N, Cin, P].
     */
    static boolean backwardDataSmall(float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo, int N, int Cin, int Cout, int P) {
        if (P >= SMALL_PLANE || Cin <= P) return false;
        float[][] wr = CpuGemm.pack(w, wo, Cin, false, 0, Cout, 0, Cin, CpuGemm.scratch());   // wr[co][ci] = w[co, ci]; read-only below
        CpuConv.forEach(N, 2L * Cout * Cin * P, n -> {
            CpuGemm.Scratch s = CpuGemm.scratch();
            float[] t = s.flat(P * Cin);
            CpuGemm.gemm(P, Cin, Cout, gy, gyo + n * Cout * P, 1, P, wr, t, 0, Cin, false, s);
            transpose(t, P, Cin, gx, gxo + n * Cin * P);
        });
        return true;
    }

    /** dst[dOff + c·rows + r] = src[r·cols + c] for r < rows, c < cols. */
    private static void transpose(float[] src, int rows, int cols, float[] dst, int dOff) {
        for (int r = 0; r < rows; r++) {
            int so = r * cols;
            for (int c = 0; c < cols; c++) dst[dOff + c * rows + r] = src[so + c];
        }
    }
}
