package adl.backend.cpu;

/**
 * Walks the elements of up to three equally-shaped strided operands in row-major order, with
 * adjacent dimensions merged wherever every operand is contiguous across them, so the inner loop
 * runs as long as possible. Used by copy and broadcasting elementwise ops.
 */
final class StridedLoop {
    /** Merged dimension sizes, outermost first; the last one is the inner loop. */
    final int[] dims;
    /** strides[k][d]: stride of operand k along merged dimension d (0 = broadcast). */
    final long[][] strides;

    StridedLoop(int[] shape, long[]... operandStrides) {
        int r = shape.length;
        int k = operandStrides.length;
        int[] d = new int[Math.max(r, 1)];
        long[][] s = new long[k][Math.max(r, 1)];
        int m = 0;
        if (r == 0) {
            d[0] = 1;
            m = 1;
        }
        for (int i = 0; i < r; i++) {
            if (shape[i] == 1 && r > 1) continue; // size-1 dims carry no iteration
            if (m > 0 && mergeable(d[m - 1], s, m - 1, operandStrides, i, shape[i])) {
                d[m - 1] *= shape[i];
                for (int j = 0; j < k; j++) s[j][m - 1] = operandStrides[j][i];
            } else {
                d[m] = shape[i];
                for (int j = 0; j < k; j++) s[j][m] = operandStrides[j][i];
                m++;
            }
        }
        if (m == 0) { // all dims were 1
            d[0] = 1;
            m = 1;
        }
        this.dims = java.util.Arrays.copyOf(d, m);
        this.strides = new long[k][];
        for (int j = 0; j < k; j++) this.strides[j] = java.util.Arrays.copyOf(s[j], m);
    }

    private static boolean mergeable(int outerSize, long[][] merged, int outer, long[][] src, int inner, int innerSize) {
        for (int j = 0; j < src.length; j++) {
            if (merged[j][outer] != src[j][inner] * innerSize) return false;
        }
        return true;
    }

    int inner() { return dims[dims.length - 1]; }

    long innerStride(int operand) { return strides[operand][dims.length - 1]; }

    /** Number of inner runs (product of all merged dims but the last). */
    long outerCount() {
        long n = 1;
        for (int i = 0; i < dims.length - 1; i++) n *= dims[i];
        return n;
    }

    /** Start offset (relative) of operand {@code k} for inner run number {@code run}. */
    long start(int k, long run) {
        long off = 0;
        for (int i = dims.length - 2; i >= 0; i--) {
            long idx = run % dims[i];
            run /= dims[i];
            off += idx * strides[k][i];
        }
        return off;
    }

    /** Strides that broadcast a tensor of {@code from} shape/strides to {@code to} (right-aligned, 0 where stretched). */
    static long[] broadcastStrides(int[] from, long[] fromStrides, int[] to) {
        long[] out = new long[to.length];
        int shift = to.length - from.length;
        for (int i = 0; i < to.length; i++) {
            int j = i - shift;
            if (j < 0 || from[j] == 1) out[i] = 0;
            else out[i] = fromStrides[j];
        }
        return out;
    }
}
