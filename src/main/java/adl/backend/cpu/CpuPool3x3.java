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
 * <p>Bitwise the same results as the generic kernels (Pool3x3ParityTest): the same comparisons in the
 * same scan order for max (first maximum, or last NaN), the same additions in the same order,
 * starting from 0, for average, and the gradient scattered in the same order. Output o of an axis of
 * length n reads inputs o−1, o, o+1 clipped to [0, n): two at each end, one when n = 1.
 *
 * <p>The max forward and both average passes run in shifted-copy form over stacks of planes
 * (see the comment above {@link #AVG_STACK}): each pass one loop the JIT vectorises, 2-5x faster
 * than per-element window code at these sizes (SmallOpsBench, docs/performance.md).
 *
 * <p>The max backward's per-plane buffers (row maxima, argmax indices) are the calling thread's
 * {@link CpuGemm.Scratch} planes, every element written before it is read: no garbage per plane.
 * Planes under {@link #SCRATCH_MIN} elements (4x4, 2x2) take fresh small arrays instead, cheap at
 * that size: with the scratch lookup per plane, level-3 max pooling measured 3.31 µs against 2.87
 * with fresh arrays (one quick SmallOpsBench run each, ±0.7).
 */
final class CpuPool3x3 {
    /** Planes with fewer elements allocate their buffers instead of looking up the thread's scratch. */
    private static final int SCRATCH_MIN = 64;

    private CpuPool3x3() {}

    /** A per-plane buffer of {@code plane} floats: the thread's scratch plane A, or a fresh one for small planes. */
    private static float[] buffer(int plane) {
        return plane < SCRATCH_MIN ? new float[plane] : CpuGemm.scratch().planeA(plane);
    }

    static boolean applies(PoolParams p) {
        return p.kernel() == 3 && p.stride() == 1 && p.pad() == 1 && !p.countIncludePad();
    }

    /** The max-pool scan step: take v over m when greater, or when NaN. */
    private static float step(float m, float v) { return v > m || v != v ? v : m; }

    /**
     * x: [N, C, H, W] -> y (same shape): y = max over the clipped 3×3 window, in the shifted-copy
     * form of the average pool below, −∞ where the window is clipped (max(−∞, v) = v for every v),
     * with Math.max, which the JIT vectorises. Math.max agrees with the scan ({@link #step}: the
     * first maximum, or the last NaN) except in which zero (−0 or +0) or which NaN it returns, so
     * the outputs that are ±0 or NaN — none, in the search's data, almost always: one vectorised
     * pass checks — are taken again by the scan itself ({@link #scanMax}). The same bits.
     */
    static void maxForward(float[] a, int xo, float[] b, int yo, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        forEachStack(g, (p0, n, len, p) -> {
            int xb = xo + p0 * plane;
            float[] left = p[0], mid = p[1], right = p[2], rm = p[3];
            rowNeighbours(a, xb, n * h, w, left, mid, right, Float.NEGATIVE_INFINITY);
            for (int k = 0; k < len; k++) rm[k] = Math.max(Math.max(left[k], mid[k]), right[k]);
            float[] up = left, down = right, out = mid;
            columnNeighbours(rm, n, h, w, up, down, Float.NEGATIVE_INFINITY);
            float least = Float.POSITIVE_INFINITY;
            for (int k = 0; k < len; k++) {
                out[k] = Math.max(Math.max(up[k], rm[k]), down[k]);
                least = Math.min(least, Math.abs(out[k]));
            }
            if (!(least > 0f)) { // some output is ±0 or NaN
                for (int k = 0; k < len; k++) {
                    if (!(Math.abs(out[k]) > 0f)) out[k] = scanMax(a, xb + k / plane * plane, h, w, k % plane / w, k % w);
                }
            }
            System.arraycopy(out, 0, b, yo + p0 * plane, len);
        });
    }

    /**
     * Output (i, o) of the plane at xb as the scan takes it: each clipped row of the window by
     * {@link #step} from its left end, then those row maxima by step from the top.
     */
    private static float scanMax(float[] a, int xb, int h, int w, int i, int o) {
        int c0 = Math.max(o - 1, 0), c1 = Math.min(o + 2, w);
        float best = 0f;
        for (int r = Math.max(i - 1, 0), end = Math.min(i + 2, h); r < end; r++) {
            int x = xb + r * w;
            float m = a[x + c0];
            for (int c = c0 + 1; c < c1; c++) m = step(m, a[x + c]);
            best = r == Math.max(i - 1, 0) ? m : step(best, m);
        }
        return best;
    }

    /**
     * x, gx: [N, C, H, W]; gy: same shape. gx = Σ over windows of gy at the window's first maximum
     * (recomputed from x), added in the order of the outputs (row-major), as the generic kernel does.
     */
    static void maxBackward(float[] a, int xo, float[] gy, int go, float[] gx, int ro, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        Parallel.forEach(g.planes(), g.work(), pl -> {
            float[] rm = buffer(plane);
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

    /*
     * The average pool in shifted-copy form. The JIT vectorises a loop only where every array is
     * read and written at one shared index (it cannot prove two float[] distinct, so a store at j
     * and a load at j + w might overlap, and it runs such a loop element by element, 4-5x slower).
     * So the neighbours a window needs are first laid out at that index by System.arraycopy —
     * left[j] = x[j − 1], right[j] = x[j + 1] along a row, up[j] = v[j − w], down[j] = v[j + w]
     * across rows, 0 where the window is clipped — and each pass is one loop over all its planes.
     * A task takes a stack of consecutive planes ({@link #stack}: at least AVG_STACK elements, so
     * the 4×4 and 2×2 planes of the small levels share their loops), row boundaries and plane
     * boundaries zeroed alike.
     *
     * Bits: every output is the sum, starting from 0, of its window's elements left to right and
     * top to bottom (rows first: the row sums, then their column sums), then one division by the
     * window's size, as the generic kernel computes it. A clipped neighbour adds +0 in its place:
     * ((0 + 0) + p) + q = (0 + p) + q, and a sum that starts from 0 is never −0, so (…) + 0
     * changes nothing. The backward adds gy / size over the windows holding each input down the
     * columns, then along the rows, in the generic kernel's order likewise.
     */

    /** Elements of one task's stack of planes: enough that a 2×2 level's planes share their loops. */
    private static final int AVG_STACK = 256;

    /** Planes per task for planes of {@code plane} elements. */
    private static int stack(int plane) { return Math.max(1, AVG_STACK / plane); }

    /** One task's work on the n stacked planes from plane p0 on: len = n·h·w elements, four scratch arrays of at least len. */
    private interface StackTask {
        void run(int p0, int n, int len, float[][] scratch);
    }

    /** The planes of g in stacks of {@link #stack} planes, one task per stack (plane-major, so a stack is contiguous). */
    private static void forEachStack(Geo g, StackTask task) {
        int plane = g.h() * g.w(), per = stack(plane), planes = g.planes();
        Parallel.forEach((planes + per - 1) / per, g.work() * per, t -> {
            int p0 = t * per, n = Math.min(per, planes - p0), len = n * plane;
            task.run(p0, n, len, CpuGemm.scratch().rows(4, len));
        });
    }

    /** x: [N, C, H, W] -> y (same shape): y = window sum / window size, summed left to right, top to bottom. */
    static void avgForward(float[] a, int xo, float[] b, int yo, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        float[] div = divisors(h, w, stack(plane));
        forEachStack(g, (p0, n, len, p) -> {
            float[] left = p[0], mid = p[1], right = p[2], rs = p[3];
            rowNeighbours(a, xo + p0 * plane, n * h, w, left, mid, right, 0f);
            for (int j = 0; j < len; j++) rs[j] = ((0f + left[j]) + mid[j]) + right[j];
            float[] up = left, down = right, out = mid;
            columnNeighbours(rs, n, h, w, up, down, 0f);
            for (int j = 0; j < len; j++) out[j] = (((0f + up[j]) + rs[j]) + down[j]) / div[j];
            System.arraycopy(out, 0, b, yo + p0 * plane, len);
        });
    }

    /**
     * gy: [N, C, H, W] -> gx (same shape): every input receives gy / window size from each window
     * holding it; the generic kernel's order: down the columns (windows in ascending row order),
     * then along each row (windows in ascending column order), each sum starting from 0.
     */
    static void avgBackward(float[] gy, int go, float[] gx, int ro, Geo g) {
        int h = g.h(), w = g.w(), plane = h * w;
        float[] div = divisors(h, w, stack(plane));
        forEachStack(g, (p0, n, len, p) -> {
            float[] v = p[0], cs = p[1], up = p[2], down = p[3];
            System.arraycopy(gy, go + p0 * plane, v, 0, len);
            for (int j = 0; j < len; j++) v[j] = v[j] / div[j];
            columnNeighbours(v, n, h, w, up, down, 0f);
            for (int j = 0; j < len; j++) cs[j] = ((0f + up[j]) + v[j]) + down[j];
            float[] left = p[0], mid = p[2], right = p[3], out = p[1];
            rowNeighbours(cs, 0, n * h, w, left, mid, right, 0f);
            for (int j = 0; j < len; j++) out[j] = ((0f + left[j]) + mid[j]) + right[j];
            System.arraycopy(out, 0, gx, ro + p0 * plane, len);
        });
    }

    /** mid = the rows × w values at xb; left[j] = x[j − 1], right[j] = x[j + 1] within each row, {@code pad} past a row's ends. */
    private static void rowNeighbours(float[] a, int xb, int rows, int w, float[] left, float[] mid, float[] right, float pad) {
        int len = rows * w;
        System.arraycopy(a, xb, mid, 0, len);
        System.arraycopy(a, xb, left, 1, len - 1);
        System.arraycopy(a, xb + 1, right, 0, len - 1);
        for (int r = 0; r < rows; r++) {
            left[r * w] = pad;
            right[r * w + w - 1] = pad;
        }
    }

    /** For n stacked h × w planes: up[j] = v[j − w], down[j] = v[j + w], {@code pad} above each plane's first row and below its last. */
    private static void columnNeighbours(float[] v, int n, int h, int w, float[] up, float[] down, float pad) {
        int plane = h * w, len = n * plane;
        System.arraycopy(v, 0, up, w, len - w);
        System.arraycopy(v, w, down, 0, len - w);
        for (int k = 0; k < n; k++) {
            java.util.Arrays.fill(up, k * plane, k * plane + w, pad);
            java.util.Arrays.fill(down, k * plane + plane - w, k * plane + plane, pad);
        }
    }

    /** Per position of {@code per} stacked h × w planes, its clipped window's size as a float (exact); built once per shape. */
    private static final java.util.concurrent.ConcurrentHashMap<java.util.List<Integer>, float[]> DIVISORS = new java.util.concurrent.ConcurrentHashMap<>();

    private static float[] divisors(int h, int w, int per) {
        return DIVISORS.computeIfAbsent(java.util.List.of(h, w, per), key -> {
            float[] d = new float[per * h * w];
            for (int k = 0; k < per; k++) {
                for (int i = 0; i < h; i++) for (int o = 0; o < w; o++) d[(k * h + i) * w + o] = count(i, h) * count(o, w);
            }
            return d;
        });
    }
}
