package adl.backend.cpu;

import adl.backend.PoolParams;
import adl.backend.cpu.CpuPool.Geo;

/**
 * The search's pooling (docs/02-search-space.md §2: max_pool_3x3 and avg_pool_3x3, kernel 3, stride 1, padding 1,
 * count_include_pad = false), F32, with every window written out as straight-line code: the
 * generic kernels of {@link CpuPool} / {@link CpuAvgPool} loop over each window's clipped range,
 * and at the search's sizes (2×2 … 16×16 planes, 17,000 calls per iteration) those length-3 loops
 * dominated: max pooling forward on [2, 8, 16, 16] took 67 µs that way and 17 µs written out
 * (SmallOpsBench, docs/performance.md).
 *
 * <p>Bitwise the same results as the generic kernels (CpuPool3x3Test): the same comparisons in the
 * same scan order for max (first maximum, or last NaN), the same additions in the same order,
 * starting from 0, for average, and the gradient scattered in the same order. Output o of an axis of
 * length n reads inputs o−1, o, o+1 clipped to [0, n): two at each end, one when n = 1.
 *
 * <p>The per-plane buffers (row maxima, row sums, argmax indices) are the calling thread's
 * {@link CpuGemm.Scratch} planes, every element written before it is read: no garbage per plane.
 * Planes under {@link #SCRATCH_MIN} elements (4x4, 2x2) take fresh small arrays instead, cheap at
 * that size: with the scratch lookup per plane, level-3 max pooling measured 3.31 µs against 2.87
 * with fresh arrays (one quick SmallOpsBench run each, ±0.7).
 */
final class CpuPool3x3 {
    /** Planes with fewer elements allocate their buffers instead of looking up the thread's scratch. */
    private static final int SCRATCH_MIN = 64;

    private CpuPool3x3() {}

    /** A per-plane buffer of {@code plane} floats: the thread's scratch plane A (B when {@code second}), or a fresh one for small planes. */
    private static float[] buffer(int plane, boolean second) {
        if (plane < SCRATCH_MIN) return new float[plane];
        CpuGemm.Scratch s = CpuGemm.scratch();
        return second ? s.planeB(plane) : s.planeA(plane);
    }

    static boolean applies(PoolParams p) {
        return p.kernel() == 3 && p.stride() == 1 && p.pad() == 1 && !p.countIncludePad();
    }

    /** The max-pool scan step: take v over m when greater, or when NaN. */
    private static float step(float m, float v) { return v > m || v != v ? v : m; }

    /** x: [N, C, H, W] -> y (same shape): y = max over the clipped 3×3 window. */
    static void maxForward(float[] a, int xo, float[] b, int yo, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        Parallel.forEach(g.planes(), g.work(), pl -> {
            float[] rm = buffer(plane, false);
            rowMax(a, xo + pl * plane, h, w, rm, null);
            int yb = yo + pl * plane;
            if (h == 1) {
                System.arraycopy(rm, 0, b, yb, w);
                return;
            }
            for (int o = 0; o < w; o++) b[yb + o] = step(rm[o], rm[w + o]);
            for (int i = 1; i < h - 1; i++) {
                int r = i * w;
                for (int o = 0; o < w; o++) b[yb + r + o] = step(step(rm[r - w + o], rm[r + o]), rm[r + w + o]);
            }
            int last = (h - 1) * w;
            for (int o = 0; o < w; o++) b[yb + last + o] = step(rm[last - w + o], rm[last + o]);
        });
    }

    /**
     * x, gx: [N, C, H, W]; gy: same shape. gx = Σ over windows of gy at the window's first maximum
     * (recomputed from x), added in the order of the outputs (row-major), as the generic kernel does.
     */
    static void maxBackward(float[] a, int xo, float[] gy, int go, float[] gx, int ro, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        Parallel.forEach(g.planes(), g.work(), pl -> {
            float[] rm = buffer(plane, false);
            int[] arg = plane < SCRATCH_MIN ? new int[plane] : CpuGemm.scratch().ints(plane);
            rowMax(a, xo + pl * plane, h, w, rm, arg);
            int gb = go + pl * plane, rb = ro + pl * plane;
            java.util.Arrays.fill(gx, rb, rb + plane, 0f);
            if (h == 1) {
                for (int o = 0; o < w; o++) gx[rb + arg[o]] += gy[gb + o];
                return;
            }
            // the column pass written out: rows (0, 1) for the first output row, (i − 1, i, i + 1)
            // inside, (h − 2, h − 1) for the last; the same scan order and ties as the generic loop
            for (int o = 0; o < w; o++) gx[rb + arg[argMax2(rm, o, o + w)]] += gy[gb + o];
            for (int oh = 1; oh < h - 1; oh++) {
                int r = oh * w;
                for (int o = 0; o < w; o++) gx[rb + arg[argMax3(rm, r - w + o, r + o, r + w + o)]] += gy[gb + r + o];
            }
            int last = (h - 1) * w;
            for (int o = 0; o < w; o++) gx[rb + arg[argMax2(rm, last - w + o, last + o)]] += gy[gb + last + o];
        });
    }

    /** Of indices i0, i1 (in scan order) the one {@link #step} keeps: i1 when v[i1] is greater or NaN. */
    private static int argMax2(float[] v, int i0, int i1) {
        float b = v[i1];
        return b > v[i0] || b != b ? i1 : i0;
    }

    /** Of indices i0, i1, i2 (in scan order) the one the scan keeps, as {@link #argMax2} twice. */
    private static int argMax3(float[] v, int i0, int i1, int i2) {
        int best = argMax2(v, i0, i1);
        float c = v[i2];
        return c > v[best] || c != c ? i2 : best;
    }

    /**
     * Row pass over one plane at xb: rm[i·w + o] = max of a[row i, o−1 .. o+1] (clipped), and when
     * arg is non-null, arg[i·w + o] = the in-plane index of that element.
     */
    private static void rowMax(float[] a, int xb, int h, int w, float[] rm, int[] arg) {
        for (int i = 0; i < h; i++) {
            int r = i * w, x = xb + r;
            if (w == 1) {
                rm[r] = a[x];
                if (arg != null) arg[r] = r;
                continue;
            }
            if (arg == null) {
                rm[r] = step(a[x], a[x + 1]);
                for (int o = 1; o < w - 1; o++) rm[r + o] = step(step(a[x + o - 1], a[x + o]), a[x + o + 1]);
                rm[r + w - 1] = step(a[x + w - 2], a[x + w - 1]);
            } else {
                // written out like the pass above: (0, 1), then (o − 1, o, o + 1), then (w − 2, w − 1)
                int best = argMax2(a, x, x + 1);
                rm[r] = a[best];
                arg[r] = best - xb;
                for (int o = 1; o < w - 1; o++) {
                    best = argMax3(a, x + o - 1, x + o, x + o + 1);
                    rm[r + o] = a[best];
                    arg[r + o] = best - xb;
                }
                best = argMax2(a, x + w - 2, x + w - 1);
                rm[r + w - 1] = a[best];
                arg[r + w - 1] = best - xb;
            }
        }
    }

    /** Window size along an axis of length n at output o (count_include_pad = false). */
    private static int count(int o, int n) { return Math.min(o + 2, n) - Math.max(o - 1, 0); }

    /** x: [N, C, H, W] -> y (same shape): y = window sum / window size, summed left to right, top to bottom. */
    static void avgForward(float[] a, int xo, float[] b, int yo, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        Parallel.forEach(g.planes(), g.work(), pl -> {
            float[] rs = buffer(plane, false);
            int xb = xo + pl * plane, yb = yo + pl * plane;
            for (int i = 0; i < h; i++) {
                int r = i * w, x = xb + r;
                if (w == 1) {
                    rs[r] = 0f + a[x];
                    continue;
                }
                rs[r] = (0f + a[x]) + a[x + 1];
                for (int o = 1; o < w - 1; o++) rs[r + o] = ((0f + a[x + o - 1]) + a[x + o]) + a[x + o + 1];
                rs[r + w - 1] = (0f + a[x + w - 2]) + a[x + w - 1];
            }
            for (int oh = 0; oh < h; oh++) {
                int lo = Math.max(oh - 1, 0), hi = Math.min(oh + 2, h), rc = hi - lo, y = yb + oh * w;
                for (int o = 0; o < w; o++) {
                    float s = 0f + rs[lo * w + o];
                    for (int i = lo + 1; i < hi; i++) s += rs[i * w + o];
                    b[y + o] = s / (rc * count(o, w));
                }
            }
        });
    }

    /**
     * gy: [N, C, H, W] -> gx (same shape): every input receives gy / window size from each window
     * holding it; the generic kernel's order: down the columns (windows in ascending row order),
     * then along each row (windows in ascending column order), each sum starting from 0.
     */
    static void avgBackward(float[] gy, int go, float[] gx, int ro, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        Parallel.forEach(g.planes(), g.work(), pl -> {
            float[] v = buffer(plane, false), cs = buffer(plane, true);
            int gb = go + pl * plane, rb = ro + pl * plane;
            for (int oh = 0; oh < h; oh++) {
                int rc = count(oh, h);
                for (int o = 0; o < w; o++) v[oh * w + o] = gy[gb + oh * w + o] / (rc * count(o, w));
            }
            for (int i = 0; i < h; i++) {
                int lo = Math.max(i - 1, 0), hi = Math.min(i + 2, h);
                for (int o = 0; o < w; o++) {
                    float s = 0f + v[lo * w + o];
                    for (int k = lo + 1; k < hi; k++) s += v[k * w + o];
                    cs[i * w + o] = s;
                }
            }
            for (int i = 0; i < h; i++) {
                int r = i * w, x = rb + r;
                if (w == 1) {
                    gx[x] = 0f + cs[r];
                    continue;
                }
                gx[x] = (0f + cs[r]) + cs[r + 1];
                for (int j = 1; j < w - 1; j++) gx[x + j] = ((0f + cs[r + j - 1]) + cs[r + j]) + cs[r + j + 1];
                gx[x + w - 1] = (0f + cs[r + w - 2]) + cs[r + w - 1];
            }
        });
    }
}
