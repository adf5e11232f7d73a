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
 * Every K takes the same one-pass-per-few-inputs path when the arrays share one offset ({@link #fused}).
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
            boolean fused = shared;
            forEach(tasks, (long) n * kk, t -> {
                int lo = t * CHUNK, len = Math.min(n, lo + CHUNK) - lo;
                if (fused) {
                    fused(x, wf, o, oo + lo, oo + lo + len);
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
            if (f32 && partial != null) dotsF32(CpuStorage.f32(gy), go + lo, xs, lo, len, partial, t * kk);
            for (int k = 0; k < kk; k++) {
                Tensor gx = gxs == null ? null : gxs[k];
                if (f32) {
                    float[] g = CpuStorage.f32(gy);
                    if (gx != null) scaleF32(g, go + lo, (float) wv[k], CpuStorage.f32(gx), (int) gx.offset() + lo, len);
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
     * Any K with every array at the same offset: passes over [lo, hi) of at most three streams
     * each, one shared index, so C2 vectorises them (eight streams in one loop ran 5x slower in the
     * engine). The first pass writes out from the first one to three inputs, each later pass adds
     * the next one or two inputs to out. The same products added in the same order as scale +
     * addScaled, ((w0·x0 + w1·x1) + w2·x2) + …, so the same bits for every K: K = 3 is one pass,
     * K = 7 is 3 + 2 + 2 (the kernels before any K was fused), K = 8 is 3 + 2 + 2 + 1.
     */
    static void fused(float[][] x, float[] w, float[] o, int lo, int hi) {
        int kk = x.length;
        if (kk == 1) {
            first1(x[0], w[0], o, lo, hi);
        } else if (kk == 2) {
            first2(x[0], w[0], x[1], w[1], o, lo, hi);
        } else {
            first3(x[0], w[0], x[1], w[1], x[2], w[2], o, lo, hi);
        }
        int k = Math.min(kk, 3);
        for (; k + 1 < kk; k += 2) add2(x[k], w[k], x[k + 1], w[k + 1], o, lo, hi);
        if (k < kk) add1(x[k], w[k], o, lo, hi);
    }

    private static void first1(float[] x0, float w0, float[] o, int lo, int hi) {
        for (int i = lo; i < hi; i++) o[i] = w0 * x0[i];
    }

    private static void first2(float[] x0, float w0, float[] x1, float w1, float[] o, int lo, int hi) {
        for (int i = lo; i < hi; i++) o[i] = w0 * x0[i] + w1 * x1[i];
    }

    private static void first3(float[] x0, float w0, float[] x1, float w1, float[] x2, float w2, float[] o, int lo, int hi) {
        for (int i = lo; i < hi; i++) o[i] = w0 * x0[i] + w1 * x1[i] + w2 * x2[i];
    }

    private static void add2(float[] x0, float w0, float[] x1, float w1, float[] o, int lo, int hi) {
        for (int i = lo; i < hi; i++) o[i] = o[i] + w0 * x0[i] + w1 * x1[i];
    }

    private static void add1(float[] x0, float w0, float[] o, int lo, int hi) {
        for (int i = lo; i < hi; i++) o[i] = o[i] + w0 * x0[i];
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

    /**
     * partial[at + k] = dotF32(g, x_k) for every k, up to three inputs per pass over g: the lanes of
     * one input are a chain of dependent double adds (latency-bound at one element per cycle), so
     * running the chains of three inputs side by side triples the work per cycle; each lane still
     * adds its elements in the same order as dotF32, so every sum has the same bits.
     */
    static void dotsF32(float[] g, int go, Tensor[] xs, int lo, int len, double[] partial, int at) {
        int kk = xs.length, k = 0;
        for (; k + 2 < kk; k += 3) {
            dot3F32(g, go, CpuStorage.f32(xs[k]), (int) xs[k].offset() + lo, CpuStorage.f32(xs[k + 1]), (int) xs[k + 1].offset() + lo,
                    CpuStorage.f32(xs[k + 2]), (int) xs[k + 2].offset() + lo, len, partial, at + k);
        }
        for (; k < kk; k++) partial[at + k] = dotF32(g, go, CpuStorage.f32(xs[k]), (int) xs[k].offset() + lo, len);
    }

    /** dotF32 of g with a, b and c at once into p[at], p[at + 1], p[at + 2]: twelve independent lanes. */
    private static void dot3F32(float[] g, int go, float[] a, int ao, float[] b, int bo, float[] c, int co, int len, double[] p, int at) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            double g0 = g[go + i], g1 = g[go + i + 1], g2 = g[go + i + 2], g3 = g[go + i + 3];
            a0 += g0 * a[ao + i];
            a1 += g1 * a[ao + i + 1];
            a2 += g2 * a[ao + i + 2];
            a3 += g3 * a[ao + i + 3];
            b0 += g0 * b[bo + i];
            b1 += g1 * b[bo + i + 1];
            b2 += g2 * b[bo + i + 2];
            b3 += g3 * b[bo + i + 3];
            c0 += g0 * c[co + i];
            c1 += g1 * c[co + i + 1];
            c2 += g2 * c[co + i + 2];
            c3 += g3 * c[co + i + 3];
        }
        double at0 = 0, bt = 0, ct = 0;
        for (; i < len; i++) {
            double gi = g[go + i];
            at0 += gi * a[ao + i];
            bt += gi * b[bo + i];
            ct += gi * c[co + i];
        }
        p[at] = (a0 + a1) + (a2 + a3) + at0;
        p[at + 1] = (b0 + b1) + (b2 + b3) + bt;
        p[at + 2] = (c0 + c1) + (c2 + c3) + ct;
    }

    /** Σ g_i · x_i over len elements, exact float products summed in four double lanes, then (s0 + s1) + (s2 + s3) + tail. */
    static double dotF32(float[] g, int go, float[] x, int xo, int len) {
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
        CpuCopy.requireContiguous(t, op, what);
        if (!t.shape().equals(like.shape()) || t.dtype() != like.dtype()) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.describe() + " must match " + like.describe());
        }
    }
}
