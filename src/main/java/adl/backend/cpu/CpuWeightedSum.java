package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * The weighted sum out = Σ_k w_k · x_k and its backward (docs/05c-kernels.md §2, "The CPU twin"), F32 and F64: the MixedOp
 * of Auto-DeepLab (w = softmax(α) row, K ≤ 7 computed ops) and a trellis node (w = β, K ≤ 3);
 * any K ≥ 1 works. PyTorch reference: {@code (w.view(K, 1, ...) * torch.stack(xs)).sum(0)}.
 * <pre>
 *   forward:  out_i  = Σ_k w_k · x_{k,i}              (k ascending, in the tensors' dtype)
 *   backward: gx_{k,i} = w_k · gy_i                   gw_k = Σ_i gy_i · x_{k,i}
 * </pre>
 * The flat index space is cut into chunks of {@link #CHUNK} elements, a constant, so the partition
 * depends on the shape alone. One task per chunk: the forward keeps its chunk of out in cache
 * while it adds the K inputs (each input read once); the backward writes its chunk of every
 * wanted gx_k and the chunk's partial dot products for gw (double, four fixed lanes). The
 * partials are then added in chunk order, in double: gw has the same bits on every run and for
 * every thread count (two-stage, never a racy accumulation).
 */
final class CpuWeightedSum {
    /** Elements per task and per partial sum of gw; never depends on the thread count. */
    static final int CHUNK = 1 << 13;

    private CpuWeightedSum() {}

    /**
     * Below this many input elements in a call (256 KB of F32 inputs) the chunks run on the calling
     * thread: the sum moves a few bytes per flop, and for small calls a second thread adds its
     * hand-off but little bandwidth (docs/performance.md).
     */
    static final long SERIAL_ELEMENTS = 1L << 16;

    /** Parallel.forEach for calls moving more than {@link #SERIAL_ELEMENTS} input elements; the same tasks in order otherwise. */
    private static void forEach(int tasks, long elements, java.util.function.IntConsumer task) {
        if (elements < SERIAL_ELEMENTS) {
            for (int t = 0; t < tasks; t++) task.accept(t);
        } else {
            Parallel.forEach(tasks, elements / Math.max(1, tasks), task);
        }
    }

    /** xs: K tensors of out's shape and dtype, contiguous; w: [K] (any layout); out contiguous, aliasing no x_k. */
    static void forward(Tensor[] xs, Tensor w, Tensor out) {
        CpuCopy.requireContiguous(out, "weightedSum");
        double[] wv = weights("weightedSum", xs.length, w, out);
        for (int k = 0; k < xs.length; k++) requireLike("weightedSum", "xs[" + k + "]", xs[k], out);
        int n = out.shape().size(), kk = xs.length, oo = (int) out.offset();
        int tasks = (n + CHUNK - 1) / CHUNK;
        if (out.dtype() == DType.F32) {
            float[] o = CpuStorage.f32(out);
            float[][] x = new float[kk][];
            int[] xo = new int[kk];
            float[] wf = new float[kk];
            for (int k = 0; k < kk; k++) { x[k] = CpuStorage.f32(xs[k]); xo[k] = (int) xs[k].offset(); wf[k] = (float) wv[k]; }
            boolean shared = true;
            for (int k = 0; k < kk; k++) shared &= xo[k] == oo;
            boolean fused = shared && (kk == 3 || kk == 7);
            forEach(tasks, (long) n * kk, t -> {
                int lo = t * CHUNK, len = Math.min(n, lo + CHUNK) - lo;
                if (fused && kk == 3) {
                    fused3(x, wf, o, oo + lo, oo + lo + len);
                } else if (fused) {
                    fused7(x, wf, o, oo + lo, oo + lo + len);
                } else {
                    scale(x[0], xo[0] + lo, wf[0], o, oo + lo, len);
                    for (int k = 1; k < kk; k++) addScaled(x[k], xo[k] + lo, wf[k], o, oo + lo, len);
                }
            });
        } else {
            double[] o = CpuStorage.f64(out);
            double[][] x = new double[kk][];
            int[] xo = new int[kk];
            for (int k = 0; k < kk; k++) { x[k] = CpuStorage.f64(xs[k]); xo[k] = (int) xs[k].offset(); }
            forEach(tasks, (long) n * kk, t -> {
                int lo = t * CHUNK, hi = Math.min(n, lo + CHUNK);
                for (int i = lo; i < hi; i++) {
                    double s = 0;
                    for (int k = 0; k < kk; k++) s += wv[k] * x[k][xo[k] + i];
                    o[oo + i] = s;
                }
            });
        }
    }

    /**
     * gy contiguous (out's shape); gxs: null or K entries, each null (not wanted) or a contiguous
     * tensor of gy's shape, overwritten with w_k · gy; gw: null or [K] contiguous, overwritten with
     * Σ_i gy_i · x_{k,i}. xs are read only when gw is wanted, w only when some gx_k is.
     */
    static void backward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        CpuCopy.requireContiguous(gy, "weightedSumBackward");
        int kk = xs.length;
        if (gxs != null && gxs.length != kk) {
            throw new IllegalArgumentException("weightedSumBackward: " + gxs.length + " gradient slots for " + kk + " inputs");
        }
        boolean anyGx = false;
        for (int k = 0; gxs != null && k < kk; k++) {
            if (gxs[k] == null) continue;
            requireLike("weightedSumBackward", "gxs[" + k + "]", gxs[k], gy);
            anyGx = true;
        }
        if (gw != null) {
            CpuCopy.requireContiguous(gw, "weightedSumBackward");
            if (gw.numel() != kk || gw.dtype() != gy.dtype()) {
                throw new IllegalArgumentException("weightedSumBackward: gw " + gw.describe() + " must be " + gy.dtype() + " [" + kk + "]");
            }
            for (int k = 0; k < kk; k++) requireLike("weightedSumBackward", "xs[" + k + "]", xs[k], gy);
        }
        if (!anyGx && gw == null) return;
        double[] wv = anyGx ? weights("weightedSumBackward", kk, w, gy) : new double[kk];
        int n = gy.shape().size(), go = (int) gy.offset();
        int tasks = (n + CHUNK - 1) / CHUNK;
        double[] partial = gw != null ? new double[tasks * kk] : null;
        boolean f32 = gy.dtype() == DType.F32;
        forEach(tasks, (long) n * kk, t -> {
            int lo = t * CHUNK, len = Math.min(n, lo + CHUNK) - lo;
            for (int k = 0; k < kk; k++) {
                Tensor gx = gxs == null ? null : gxs[k];
                if (f32) {
                    float[] g = CpuStorage.f32(gy);
                    if (gx != null) scaleF32(g, go + lo, (float) wv[k], CpuStorage.f32(gx), (int) gx.offset() + lo, len);
                    if (partial != null) partial[t * kk + k] = dotF32(g, go + lo, CpuStorage.f32(xs[k]), (int) xs[k].offset() + lo, len);
                } else {
                    double[] g = CpuStorage.f64(gy);
                    if (gx != null) {
                        double[] d = CpuStorage.f64(gx);
                        for (int i = 0, a = (int) gx.offset() + lo; i < len; i++) d[a + i] = wv[k] * g[go + lo + i];
                    }
                    if (partial != null) {
                        double[] x = CpuStorage.f64(xs[k]);
                        double s = 0;
                        for (int i = 0, b = (int) xs[k].offset() + lo; i < len; i++) s += g[go + lo + i] * x[b + i];
                        partial[t * kk + k] = s;
                    }
                }
            }
        });
        if (gw == null) return;
        double[] sums = new double[kk];
        for (int t = 0; t < tasks; t++) {
            for (int k = 0; k < kk; k++) sums[k] += partial[t * kk + k];
        }
        CpuCopy.write(gw, sums);
    }

    /*
     * The two K of the search (a trellis node: 3; a MixedOp: 7) with every array at the same offset:
     * one pass over [lo, hi) reading each input once and writing out once (no re-reads of out per
     * input), one shared index, so C2 vectorises it. The same products added in the same order as
     * scale + addScaled: ((w0·x0 + w1·x1) + w2·x2) + …, so the same bits.
     */
    private static void fused3(float[][] x, float[] w, float[] o, int lo, int hi) {
        float[] x0 = x[0], x1 = x[1], x2 = x[2];
        float w0 = w[0], w1 = w[1], w2 = w[2];
        for (int i = lo; i < hi; i++) o[i] = w0 * x0[i] + w1 * x1[i] + w2 * x2[i];
    }

    /** K = 7 as a three-input pass and two two-input passes (eight streams in one loop ran 5x slower in the engine). */
    private static void fused7(float[][] x, float[] w, float[] o, int lo, int hi) {
        float[] x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6];
        float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6];
        for (int i = lo; i < hi; i++) o[i] = w0 * x0[i] + w1 * x1[i] + w2 * x2[i];
        for (int i = lo; i < hi; i++) o[i] = o[i] + w3 * x3[i] + w4 * x4[i];
        for (int i = lo; i < hi; i++) o[i] = o[i] + w5 * x5[i] + w6 * x6[i];
    }

    private static void scaleF32(float[] g, int go, float wk, float[] d, int dof, int len) { scale(g, go, wk, d, dof, len); }

    /*
     * d[do + i] = w · s[so + i] (scale) and d[do + i] += w · s[so + i] (addScaled), i < len. When
     * both start at the same offset (tensors of their own storage: offset 0) the loop runs on one
     * shared index: the JIT can then vectorise it even though it cannot prove d and s are distinct
     * arrays (with one index, d == s has no cross-iteration dependence); with two offsets it must
     * assume they might overlap and runs element by element, about 5x slower (bench/,
     * PlainWeightedSumBench). Same operations in the same order either way: the same bits.
     */
    private static void scale(float[] s, int so, float w, float[] d, int dof, int len) {
        if (so == dof) {
            for (int j = dof, end = dof + len; j < end; j++) d[j] = w * s[j];
        } else {
            for (int i = 0; i < len; i++) d[dof + i] = w * s[so + i];
        }
    }

    private static void addScaled(float[] s, int so, float w, float[] d, int dof, int len) {
        if (so == dof) {
            for (int j = dof, end = dof + len; j < end; j++) d[j] += w * s[j];
        } else {
            for (int i = 0; i < len; i++) d[dof + i] += w * s[so + i];
        }
    }

    /** Σ g_i · x_i over len elements, exact float products summed in four double lanes, then (s0 + s1) + (s2 + s3) + tail. */
    private static double dotF32(float[] g, int go, float[] x, int xo, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += (double) g[go + i] * x[xo + i];
            s1 += (double) g[go + i + 1] * x[xo + i + 1];
            s2 += (double) g[go + i + 2] * x[xo + i + 2];
            s3 += (double) g[go + i + 3] * x[xo + i + 3];
        }
        double tail = 0;
        for (; i < len; i++) tail += (double) g[go + i] * x[xo + i];
        return (s0 + s1) + (s2 + s3) + tail;
    }

    /** The K weights as doubles, after checking that there are K ≥ 1 of them and the dtypes agree. */
    private static double[] weights(String op, int k, Tensor w, Tensor like) {
        if (k < 1) throw new IllegalArgumentException(op + ": needs at least one input tensor");
        if (w.rank() != 1 || w.dim(0) != k || w.dtype() != like.dtype()) {
            throw new IllegalArgumentException(op + ": weights " + w.describe() + " must be " + like.dtype() + " [" + k + "] for " + k + " inputs");
        }
        return CpuCopy.read(w);
    }

    private static void requireLike(String op, String what, Tensor t, Tensor like) {
        CpuCopy.requireContiguous(t, op + " " + what);
        if (!t.shape().equals(like.shape()) || t.dtype() != like.dtype()) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.describe() + " must match " + like.describe());
        }
    }
}
