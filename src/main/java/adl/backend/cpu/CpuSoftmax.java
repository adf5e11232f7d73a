package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * Softmax and log-softmax along one axis, F32 and F64 (PyTorch {@code softmax} / {@code log_softmax}
 * semantics). A contiguous tensor is seen as [outer, len, inner] around the axis; element
 * (o, j, i) sits at o·len·inner + j·inner + i. Numerically stable: m = max_j x_j is subtracted
 * before exp, s = Σ_j exp(x_j - m) is accumulated in double.
 * <pre>
 *   softmax:     y_j = exp(x_j - m) / s          gx_j = y_j · (gy_j - Σ_k gy_k · y_k)
 *   log-softmax: y_j = (x_j - m) - log(s)        gx_j = gy_j - exp(y_j) · Σ_k gy_k
 * </pre>
 * F64 is the reference loop (one softmax vector at a time, strided); F32 is the fast path: rows
 * when inner == 1, otherwise blocks of {@link #BLOCK} adjacent vectors walked column-wise so the
 * inner loops run over unit-stride memory. Every output depends only on its own vector, so the
 * partition (fixed by shape) cannot change any bit.
 */
final class CpuSoftmax {
    /** Scalar elements per parallel task (a constant: the partition never depends on the thread count). */
    private static final int CHUNK = 1 << 14;
    /** Adjacent softmax vectors (inner positions) handled together by one F32 column task. */
    private static final int BLOCK = 512;

    private CpuSoftmax() {}

    /** x, y: contiguous, same shape and dtype; softmax along {@code axis} (negative counts from the end). */
    static void forward(Tensor x, int axis, boolean log, Tensor y) {
        Layout l = Layout.of("softmax", x, axis, y);
        if (x.dtype() == DType.F32) {
            float[] a = CpuStorage.f32(x), b = CpuStorage.f32(y);
            int xo = (int) x.offset(), yo = (int) y.offset();
            if (l.inner == 1) l.forRows((r0, r1) -> { for (int r = r0; r < r1; r++) rowF32(a, xo + r * l.len, b, yo + r * l.len, l.len, log); });
            else l.forBlocks((o, i0, n) -> columnsF32(a, b, xo, yo, o * l.len * l.inner + i0, l.len, l.inner, n, log));
        } else {
            double[] a = CpuStorage.f64(x), b = CpuStorage.f64(y);
            int xo = (int) x.offset(), yo = (int) y.offset();
            l.forVectors(base -> vectorF64(a, xo + base, b, yo + base, l.len, l.inner, log));
        }
    }

    /** y (the forward output), gy, gx: contiguous, same shape and dtype. gx may not alias y or gy. */
    static void backward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) {
        Layout l = Layout.of("softmaxBackward", y, axis, gx);
        Layout.requireSame("softmaxBackward", y, gy);
        int yo = (int) y.offset(), go = (int) gy.offset(), xo = (int) gx.offset();
        if (y.dtype() == DType.F32) {
            float[] ya = CpuStorage.f32(y), ga = CpuStorage.f32(gy), xa = CpuStorage.f32(gx);
            if (l.inner == 1) {
                l.forRows((r0, r1) -> {
                    for (int r = r0; r < r1; r++) backRowF32(ya, yo + r * l.len, ga, go + r * l.len, xa, xo + r * l.len, l.len, log);
                });
            } else {
                l.forBlocks((o, i0, n) -> backColumnsF32(ya, yo, ga, go, xa, xo, o * l.len * l.inner + i0, l.len, l.inner, n, log));
            }
        } else {
            double[] ya = CpuStorage.f64(y), ga = CpuStorage.f64(gy), xa = CpuStorage.f64(gx);
            l.forVectors(base -> backVectorF64(ya, yo + base, ga, go + base, xa, xo + base, l.len, l.inner, log));
        }
    }

    // ---- F64 reference: one vector of len elements at stride inner ----

    private static void vectorF64(double[] x, int xo, double[] y, int yo, int len, int inner, boolean log) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) m = Math.max(m, x[xo + j * inner]);
        double s = 0;
        for (int j = 0; j < len; j++) s += Math.exp(x[xo + j * inner] - m);
        if (log) {
            double ls = Math.log(s);
            for (int j = 0; j < len; j++) y[yo + j * inner] = (x[xo + j * inner] - m) - ls;
        } else {
            double inv = 1.0 / s;
            for (int j = 0; j < len; j++) y[yo + j * inner] = Math.exp(x[xo + j * inner] - m) * inv;
        }
    }

    private static void backVectorF64(double[] y, int yo, double[] g, int go, double[] gx, int xo, int len, int inner, boolean log) {
        double dot = 0;
        for (int j = 0; j < len; j++) dot += log ? g[go + j * inner] : g[go + j * inner] * y[yo + j * inner];
        for (int j = 0; j < len; j++) {
            double yj = y[yo + j * inner], gj = g[go + j * inner];
            gx[xo + j * inner] = log ? gj - Math.exp(yj) * dot : yj * (gj - dot);
        }
    }

    // ---- F32 fast paths ----

    /** One contiguous row (inner == 1). */
    private static void rowF32(float[] x, int xo, float[] y, int yo, int len, boolean log) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) m = Math.max(m, x[xo + j]);
        double s = 0;
        if (log) {
            for (int j = 0; j < len; j++) s += Math.exp(x[xo + j] - m);
            float ls = (float) Math.log(s);
            for (int j = 0; j < len; j++) y[yo + j] = (x[xo + j] - m) - ls;
        } else {
            for (int j = 0; j < len; j++) {
                float e = (float) Math.exp(x[xo + j] - m);
                y[yo + j] = e;
                s += e;
            }
            float inv = (float) (1.0 / s);
            for (int j = 0; j < len; j++) y[yo + j] *= inv;
        }
    }

    private static void backRowF32(float[] y, int yo, float[] g, int go, float[] gx, int xo, int len, boolean log) {
        double dot = 0;
        if (log) for (int j = 0; j < len; j++) dot += g[go + j];
        else for (int j = 0; j < len; j++) dot += g[go + j] * y[yo + j];
        float d = (float) dot;
        if (log) for (int j = 0; j < len; j++) gx[xo + j] = g[go + j] - (float) Math.exp(y[yo + j]) * d;
        else for (int j = 0; j < len; j++) gx[xo + j] = y[yo + j] * (g[go + j] - d);
    }

    /** n adjacent vectors starting at element {@code start} (relative to the offsets), stride inner. */
    private static void columnsF32(float[] x, float[] y, int xo, int yo, int start, int len, int inner, int n, boolean log) {
        float[] m = new float[n];
        double[] s = new double[n];
        System.arraycopy(x, xo + start, m, 0, n);
        for (int j = 1; j < len; j++) {
            int p = xo + start + j * inner;
            for (int i = 0; i < n; i++) m[i] = Math.max(m[i], x[p + i]);
        }
        for (int j = 0; j < len; j++) {
            int p = xo + start + j * inner, q = yo + start + j * inner;
            for (int i = 0; i < n; i++) {
                float e = (float) Math.exp(x[p + i] - m[i]);
                if (!log) y[q + i] = e;
                s[i] += e;
            }
        }
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = log ? (float) Math.log(s[i]) : (float) (1.0 / s[i]);
        for (int j = 0; j < len; j++) {
            int p = xo + start + j * inner, q = yo + start + j * inner;
            if (log) for (int i = 0; i < n; i++) y[q + i] = (x[p + i] - m[i]) - f[i];
            else for (int i = 0; i < n; i++) y[q + i] *= f[i];
        }
    }

    private static void backColumnsF32(float[] y, int yo, float[] g, int go, float[] gx, int xo, int start,
                                       int len, int inner, int n, boolean log) {
        double[] dot = new double[n];
        for (int j = 0; j < len; j++) {
            int p = yo + start + j * inner, q = go + start + j * inner;
            if (log) for (int i = 0; i < n; i++) dot[i] += g[q + i];
            else for (int i = 0; i < n; i++) dot[i] += g[q + i] * y[p + i];
        }
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) dot[i];
        for (int j = 0; j < len; j++) {
            int p = yo + start + j * inner, q = go + start + j * inner, r = xo + start + j * inner;
            if (log) for (int i = 0; i < n; i++) gx[r + i] = g[q + i] - (float) Math.exp(y[p + i]) * d[i];
            else for (int i = 0; i < n; i++) gx[r + i] = y[p + i] * (g[q + i] - d[i]);
        }
    }

    // ---- partition ----

    /** The [outer, len, inner] view of a contiguous tensor around one axis, and its fixed task partition. */
    private record Layout(int outer, int len, int inner) {
        interface RowRange { void run(int r0, int r1); }
        interface Block { void run(int outer, int i0, int n); }
        interface Vector { void run(int base); }

        static Layout of(String op, Tensor x, int axis, Tensor y) {
            requireSame(op, x, y);
            int a = x.shape().normalizeAxis(axis);
            int[] d = x.shape().dims();
            int outer = 1, inner = 1;
            for (int i = 0; i < a; i++) outer *= d[i];
            for (int i = a + 1; i < d.length; i++) inner *= d[i];
            return new Layout(outer, d[a], inner);
        }

        static void requireSame(String op, Tensor x, Tensor y) {
            CpuCopy.requireContiguous(x, op);
            CpuCopy.requireContiguous(y, op);
            if (!x.shape().equals(y.shape()) || x.dtype() != y.dtype()) {
                throw new IllegalArgumentException(op + ": " + x.describe() + " and " + y.describe() + " must have the same shape and dtype");
            }
            if (x.dtype() != DType.F32 && x.dtype() != DType.F64) throw new IllegalArgumentException(op + ": " + x.describe() + " is not F32/F64");
        }

        /** Rows of len elements (inner == 1), about CHUNK elements per task. */
        void forRows(RowRange body) {
            if (len == 0) return;
            int rows = outer, per = Math.max(1, CHUNK / Math.max(1, len));
            int tasks = (rows + per - 1) / per;
            Parallel.forEach(tasks, (long) per * len * 4, t -> body.run(t * per, Math.min(rows, t * per + per)));
        }

        /** Blocks of up to BLOCK adjacent vectors inside one outer index. */
        void forBlocks(Block body) {
            if (len == 0) return;
            int blocks = (inner + BLOCK - 1) / BLOCK;
            Parallel.forEach(outer * blocks, (long) Math.min(inner, BLOCK) * len * 4, t -> {
                int o = t / blocks, i0 = (t % blocks) * BLOCK;
                body.run(o, i0, Math.min(BLOCK, inner - i0));
            });
        }

        /** Every vector, by its first element's index; tasks of about CHUNK elements. */
        void forVectors(Vector body) {
            if (len == 0) return;
            long vectors = (long) outer * inner;
            int per = Math.max(1, CHUNK / Math.max(1, len));
            int tasks = (int) ((vectors + per - 1) / per);
            Parallel.forEach(tasks, (long) per * len * 4, t -> {
                long v1 = Math.min(vectors, (long) t * per + per);
                for (long v = (long) t * per; v < v1; v++) {
                    int o = (int) (v / inner), i = (int) (v % inner);
                    body.run(o * len * inner + i);
                }
            });
        }
    }
}
