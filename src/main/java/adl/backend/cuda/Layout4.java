package adl.backend.cuda;

import java.util.Arrays;

/**
 * A shared index space of rank ≤ 4 for the 4-D kernels (native-kernels/README.md "Notes for the
 * bindings"): dims of size 1 are dropped, adjacent dims are merged where they are contiguous in every
 * operand ({@code s[i] == s[i+1]·d[i+1]}, which also merges two broadcast dims of stride 0), and the
 * result is padded with leading dims 1 and strides 0. {@code strides[k]} are operand k's strides.
 */
record Layout4(int[] dims, int[][] strides) {

    /** Collapses {@code dims} with one stride array per operand; fails when more than 4 dims remain. */
    static Layout4 of(String op, long[] dims, long[]... operandStrides) {
        int r = dims.length, m = operandStrides.length;
        long[] d = new long[r];
        long[][] s = new long[m][r];
        int n = 0;
        for (int i = 0; i < r; i++) {
            if (dims[i] == 1) continue;
            if (n > 0 && mergeable(dims[i], i, n - 1, operandStrides, s)) {
                d[n - 1] *= dims[i];
                for (int k = 0; k < m; k++) s[k][n - 1] = operandStrides[k][i];
                continue;
            }
            d[n] = dims[i];
            for (int k = 0; k < m; k++) s[k][n] = operandStrides[k][i];
            n++;
        }
        if (n > 4) {
            throw new UnsupportedOperationException(op + ": dims " + Arrays.toString(dims) + " collapse to " + n
                    + " dims, more than the 4 the CUDA kernels index");
        }
        int[] od = {1, 1, 1, 1};
        int[][] os = new int[m][4];
        for (int j = 0; j < n; j++) {
            od[4 - n + j] = toInt(op, d[j], dims);
            for (int k = 0; k < m; k++) os[k][4 - n + j] = toInt(op, s[k][j], dims);
        }
        return new Layout4(od, os);
    }

    /** Dim i (size {@code next}) folds into the kept dim j when every operand steps over j as one run of i. */
    private static boolean mergeable(long next, int i, int j, long[][] in, long[][] kept) {
        for (int k = 0; k < in.length; k++) {
            if (kept[k][j] != in[k][i] * next) return false;
        }
        return true;
    }

    private static int toInt(String op, long v, long[] dims) {
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new UnsupportedOperationException(op + ": dims " + Arrays.toString(dims) + " need 64-bit indexing (" + v + ")");
        }
        return (int) v;
    }

    /** Row-major strides of {@code dims}. */
    static long[] contiguous(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]; }
        return s;
    }

    int numel() { return dims[0] * dims[1] * dims[2] * dims[3]; }
}
