package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.cpu.CpuIm2col.Geom;

/**
 * Stride-1 F32 depthwise convolution (output channel co reads input channel co / m), many planes
 * per call: the search's depthwise planes are 16x16 down to 2x2, where fixed costs per plane
 * (padding, scratch, copies) outweighed the arithmetic when each plane was its own task.
 *
 * <p>Shifts. A plane is zero-padded to Hp x Wp and the output is laid out with the same row stride
 * Wp, so tap t = (ki, kj) is one shift s_t = ki·dh·Wp + kj·dw of the flattened padded plane
 * (Pp = Hp·Wp positions); the q = (Ho − 1)·Wp + Wo = Pp − s_max output positions include the
 * Wp − Wo scratch columns of each row but the last (discarded; zero on the gradient side).
 * Every multiply-add loop indexes all its arrays with one index {@code i}: the shifted data is
 * first copied (System.arraycopy) to a scratch at that index, which is what lets C2 vectorise it.
 *
 * <p>Two layouts of a group of G planes, chosen by q: plane-minor for q &lt;= {@link #MINOR_MAX_Q}
 * (the 4x4 and 2x2 planes of the search, q = 6..40, 2-4x faster than one plane per task), else
 * plane-major (16x16 and 8x8, q = 78..376, where the arithmetic dominates: both layouts and the old
 * kernel measured within noise at 8x8; measured per kernel with {@code bench ops --crop 64}).
 * <ul>
 * <li>plane-major [G][Pp] (the gradients): the group is padded in one pass, then plane by plane,
 *     per tap one arraycopy of its q shifted positions into a one-plane scratch (stays in L1; a
 *     group-wide shifted copy measured slower) and one loop with the plane's weight. The forward
 *     keeps one plane per task for these sizes ({@code forwardPadded}): the group form measured
 *     10-70 % slower there, for a reason not found;</li>
 * <li>plane-minor [Pp][G], index pos·G + g: a shift becomes s_t·G for all planes at once and one
 *     loop of q·G runs over the group, against the tap's weights tiled with period G (built by
 *     doubling arraycopies). The transposes in and out are scalar loops.</li>
 * </ul>
 * The filter gradient keeps per tap min(q, 256) lanes per plane ([G][L] or [L][G]); its lane sums
 * advance four taps at a time (four independent add chains, each in the order below).
 *
 * <p>Numerics: every output element gets the same fma chain as the per-plane kernels before this
 * class (bitwise; ConvParityTest checks it against a copy of them): forward y = fma chain over the
 * taps (ki, kj) from 0; input gradient = fma chain over (k &lt; m, ki, kj) from 0; filter gradient
 * gw[co, t] = Σ_j lane_j in order j = 0, 1, ..., where lane j (of min(q, 256)) is the fma chain of
 * gy · x_shifted over samples n and, within a sample, over the positions j, j + 256, ... of the
 * padded plane. A tap whose every real output reads padding only (dilated kernels on 2x2 and 4x4
 * planes: 24 of the 25 taps of a dilated 5x5 at 2x2) is skipped where that is exact: in y and gx
 * when its weights are finite (fma(w, 0, a) == a for finite w, as an fma chain from +0 never holds
 * −0), in gw when the group's x and gy are finite (its lanes then stay +0).
 *
 * <p>Tasks are groups of planes sized from the shape alone ({@link #GROUP_FLOATS} floats of planes,
 * or of filter lanes), so results do not depend on the thread count (see {@link Parallel}).
 * Strides other than 1 stay in {@link CpuDepthwise}.
 */
final class DepthwisePlanes {
    /** Lanes of the filter-gradient sums (the partial sums reduced in order at the end). */
    static final int LANES = 256;
    /** Floats of plane data per task (a group's few scratch arrays stay in L1/L2). */
    static final int GROUP_FLOATS = 4096;
    /** Plane-minor layout for planes of at most this many output positions q. */
    static final int MINOR_MAX_Q = 48;
    /**
     * Positions per chunk of a plane-major plane (its scratch chunks stay in L1); for gx also the
     * per-plane kernels' chunk, which decides where a non-finite weight applies.
     */
    private static final int CHUNK = 512;
    /** Rows shorter than this are copied by a loop instead of System.arraycopy. */
    private static final int COPY_MIN = 16;

    private DepthwisePlanes() {}

    /** The padded-plane geometry of a stride-1 depthwise convolution. */
    record Plan(int H, int W, int pH, int pW, int Hp, int Wp, int Pp, int Ho, int Wo, int q, int smax,
                int taps, int[] shift, boolean[] dead) {
        static Plan of(Geom g) {
            ConvParams p = g.p();
            int pH = p.padH(), pW = p.padW(), dh = p.dilationH(), dw = p.dilationW();
            int Hp = g.H() + 2 * pH, Wp = g.W() + 2 * pW, Ho = g.Ho(), Wo = g.Wo();
            int taps = g.taps();
            int[] shift = new int[taps];
            boolean[] dead = new boolean[taps];
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int t = ki * g.kw() + kj;
                    shift[t] = ki * dh * Wp + kj * dw;
                    // real outputs of tap t read padded rows ki·dh + [0, Ho) and columns kj·dw + [0, Wo)
                    dead[t] = ki * dh + Ho <= pH || ki * dh >= pH + g.H() || kj * dw + Wo <= pW || kj * dw >= pW + g.W();
                }
            }
            int smax = shift[taps - 1];
            return new Plan(g.H(), g.W(), pH, pW, Hp, Wp, Hp * Wp, Ho, Wo, (Ho - 1) * Wp + Wo, smax, taps, shift, dead);
        }

        boolean minor() { return q <= MINOR_MAX_Q; }

        boolean anyDead() {
            for (boolean d : dead) if (d) return true;
            return false;
        }
    }

    /** Planes per group for n planes of {@code floats} floats each: ceil(n / tasks) with tasks from the shape. */
    static int groupSize(int n, long floats) {
        long tasks = Math.max(1, Math.min(n, (n * floats + GROUP_FLOATS - 1) / GROUP_FLOATS));
        return (int) ((n + tasks - 1) / tasks);
    }

    /** x: [N, Cin, H, W], w: [Cout, 1, kh, kw], y: [N, Cout, Ho, Wo]. */
    static void forward(float[] x, int xo, float[] w, int wo, float[] y, int yo, int N, int Cin, int Cout, Geom g) {
        Plan pl = Plan.of(g);
        int m = Cout / Cin, NP = N * Cout, G = groupSize(NP, pl.Pp), HW = g.inPlane(), P = g.outPlane();
        if (!pl.minor()) {
            // Large planes: one plane per task, padded into the thread's scratch (the kernel this class
            // replaced). A plane-major group form computed the same bits but measured 10-70 % slower
            // on 16x16 and 8x8 planes (5x5 and dilated kernels most), for a reason not found (padding
            // one plane at a time instead of the group did not help).
            CpuConv.forEach(NP, 2L * pl.taps * P, t -> {
                int n = t / Cout, co = t % Cout;
                forwardPadded(x, xo + (n * Cin + co / m) * HW, w, wo + co * pl.taps, y, yo + t * P, pl, CpuGemm.scratch());
            });
            return;
        }
        CpuConv.forEach((NP + G - 1) / G, 2L * pl.taps * pl.q * G, task -> {
            int p0 = task * G, gn = Math.min(G, NP - p0);
            int[] xOff = new int[gn], wOff = new int[gn];
            for (int j = 0; j < gn; j++) {
                int n = (p0 + j) / Cout, co = (p0 + j) % Cout;
                xOff[j] = xo + (n * Cin + co / m) * HW;
                wOff[j] = wo + co * pl.taps;
            }
            Buffers b = BUFFERS.get();
            float[] X = b.in(gn * pl.Pp + pl.smax);   // plane-minor: position pos of plane j at j + pos·gn
            java.util.Arrays.fill(X, 0, gn * pl.Pp + pl.smax, 0f);
            for (int j = 0; j < gn; j++) window(x, xOff[j], pl.H, pl.W, pl.pH, pl.pW, pl.Wp, 0, pl.Pp, X, j, gn);
            int end = pl.q * gn;
            float[] acc = b.acc(end), tmp = b.tmp(end);
            java.util.Arrays.fill(acc, 0, end, 0f);
            for (int t = 0; t < pl.taps; t++) {
                if (pl.dead[t] && finite(w, wOff, t)) continue;
                correlateMinor(X, pl.shift[t] * gn, weights(w, wOff, t, b, end), tmp, acc, 0, end);
            }
            for (int j = 0; j < gn; j++) unpad(acc, j, gn, pl.Wp, 0, 0, pl.Ho, pl.Wo, y, yo + (p0 + j) * P);
        });
    }

    /** One y plane (at yOff) from the x plane at xOff: zero-padded into scratch, chunks of CHUNK positions, every tap's fma in order. */
    private static void forwardPadded(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Plan pl, CpuGemm.Scratch s) {
        float[] xp = s.planeA(pl.Pp);
        java.util.Arrays.fill(xp, 0, pl.Pp, 0f);
        for (int ih = 0; ih < pl.H; ih++) System.arraycopy(x, xOff + ih * pl.W, xp, (ih + pl.pH) * pl.Wp + pl.pW, pl.W);
        float[] acc = s.flat(CHUNK), tmp = s.planeB(CHUNK);
        for (int c0 = 0; c0 < pl.q; c0 += CHUNK) {
            int len = Math.min(CHUNK, pl.q - c0);
            java.util.Arrays.fill(acc, 0, len, 0f);
            for (int t = 0; t < pl.taps; t++) {
                float wv = w[wOff + t];
                System.arraycopy(xp, c0 + pl.shift[t], tmp, 0, len);
                for (int i = 0; i < len; i++) acc[i] = Math.fma(wv, tmp[i], acc[i]);
            }
            int end = c0 + len;   // rows of the chunk back to the dense plane
            for (int r = c0 / pl.Wp; r * pl.Wp < end; r++) {
                int a = Math.max(c0, r * pl.Wp), b = Math.min(end, r * pl.Wp + pl.Wo);
                if (a < b) System.arraycopy(acc, a - c0, y, yOff + r * pl.Wo + (a - r * pl.Wp), b - a);
            }
        }
    }

    /** gy: [N, Cout, Ho, Wo], w: [Cout, 1, kh, kw], gx: [N, Cin, H, W]. */
    static void backwardData(float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo, int N, int Cin, int Cout, Geom g) {
        Plan pl = Plan.of(g);
        // gx (padded coordinates i) = Σ_(k, t) w · gy_k[i − s_t]: a correlation over B_k, gy_k placed at
        // s_max + o in a zero plane of S = Pp + s_max positions, with shifts s_max − s_t.
        int m = Cout / Cin, NP = N * Cin, S = pl.Pp + pl.smax, M = m * S, G = groupSize(NP, M);
        int HW = g.inPlane(), P = g.outPlane();
        int first = pl.pH * pl.Wp + pl.pW, last = (pl.pH + pl.H - 1) * pl.Wp + pl.pW + pl.W;
        CpuConv.forEach((NP + G - 1) / G, 2L * m * pl.taps * (last - first) * G, task -> {
            int p0 = task * G, gn = Math.min(G, NP - p0);
            boolean minor = pl.minor();
            int[] wOff = new int[gn];
            Buffers b = BUFFERS.get();
            float[] B = b.in(gn * M);
            java.util.Arrays.fill(B, 0, gn * M, 0f);
            for (int j = 0; j < gn; j++) {
                int n = (p0 + j) / Cin, ci = (p0 + j) % Cin;
                for (int k = 0; k < m; k++) {
                    int src = gyo + (n * Cout + ci * m + k) * P, at = pl.smax + k * S;
                    window(gy, src, pl.Ho, pl.Wo, 0, 0, pl.Wp, 0, pl.q, B, minor ? at * gn + j : j * M + at, minor ? gn : 1);
                }
            }
            if (minor) {
                int end = last * gn;
                float[] acc = b.acc(end), tmp = b.tmp(end);
                java.util.Arrays.fill(acc, first * gn, end, 0f);
                for (int k = 0; k < m; k++) {
                    for (int j = 0; j < gn; j++) wOff[j] = wo + ((p0 + j) % Cin * m + k) * pl.taps;
                    for (int t = 0; t < pl.taps; t++) {
                        boolean fin = finite(w, wOff, t);
                        if (pl.dead[t] && fin) continue;
                        float[] wexp = weights(w, wOff, t, b, end);
                        for (int c = first; c < last; c = fin ? last : c + CHUNK) {
                            int e = fin ? last : Math.min(last, c + CHUNK);
                            if (fin || reads(pl, t, c, e)) correlateMinor(B, (k * S + pl.smax - pl.shift[t]) * gn, wexp, tmp, acc, c * gn, e * gn);
                        }
                    }
                }
                for (int j = 0; j < gn; j++) unpad(acc, j, gn, pl.Wp, pl.pH, pl.pW, pl.H, pl.W, gx, gxo + (p0 + j) * HW);
            } else { // plane by plane, its positions [first, last) in scratch that stays in L1
                float[] acc = b.acc(last), tmp = b.tmp(last);
                for (int j = 0; j < gn; j++) {
                    java.util.Arrays.fill(acc, first, last, 0f);
                    int ci = (p0 + j) % Cin;
                    for (int c = first; c < last; c += CHUNK) {
                        int e = Math.min(last, c + CHUNK);
                        for (int k = 0; k < m; k++) {
                            for (int t = 0; t < pl.taps; t++) {
                                float wv = w[wo + (ci * m + k) * pl.taps + t];
                                boolean fin = Float.isFinite(wv);
                                if (fin ? pl.dead[t] : !reads(pl, t, c, e)) continue;
                                System.arraycopy(B, j * M + k * S + pl.smax - pl.shift[t] + c, tmp, c, e - c);
                                for (int i = c; i < e; i++) acc[i] = Math.fma(wv, tmp[i], acc[i]);
                            }
                        }
                    }
                    unpad(acc, 0, 1, pl.Wp, pl.pH, pl.pW, pl.H, pl.W, gx, gxo + (p0 + j) * HW);
                }
            }
        });
    }

    /**
     * Whether tap t reads gy for the gx positions [c, e). A tap with a finite weight may be applied
     * anywhere (a zero term changes nothing); one with a non-finite weight (w·0 = NaN) exactly in the
     * CHUNK-position chunks from {@code first} where this holds, as the per-plane kernel applied it.
     */
    private static boolean reads(Plan pl, int t, int c, int e) { return c - pl.shift[t] < pl.q && e - pl.shift[t] > 0; }

    /** x: [N, Cin, H, W], gy: [N, Cout, Ho, Wo], gw: [Cout, 1, kh, kw]. */
    static void backwardFilter(float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, int N, int Cin, int Cout, Geom g) {
        Plan pl = Plan.of(g);
        int m = Cout / Cin, HW = g.inPlane(), P = g.outPlane();
        int L = Math.min(LANES, pl.q), Lx = L + pl.smax, G = groupSize(Cout, (long) pl.taps * L); // lanes stay in cache
        CpuConv.forEach((Cout + G - 1) / G, 2L * N * pl.taps * pl.q * G, task -> {
            int c0 = task * G, gn = Math.min(G, Cout - c0);
            boolean minor = pl.minor(); // then q <= LANES: one chunk, L = q, Lx = Pp
            // lane l of channel j at j·S + l·step; position u of its x window at j·Sx + u·step
            int step = minor ? gn : 1, S = minor ? 1 : L, Sx = minor ? 1 : Lx;
            Buffers b = BUFFERS.get();
            float[][] a = b.rows(pl.taps, gn * L);
            for (int t = 0; t < pl.taps; t++) java.util.Arrays.fill(a[t], 0, gn * L, 0f);
            float[] X = b.in(gn * Lx), GY = b.acc(gn * L), tmp = b.tmp(gn * L);
            // a padding-only tap pairs every gy with a padding 0 and every x with a scratch-column 0 of gy:
            // with all of them finite its lanes stay +0 (left as filled)
            boolean skipDead = pl.anyDead();
            for (int n = 0; n < N && skipDead; n++) {
                for (int j = 0; j < gn && skipDead; j++) {
                    int co = c0 + j;
                    skipDead = finite(x, xo + (n * Cin + co / m) * HW, HW) && finite(gy, gyo + (n * Cout + co) * P, P);
                }
            }
            for (int n = 0; n < N; n++) {
                for (int start = 0; start < pl.q; start += LANES) {
                    int len = Math.min(LANES, pl.q - start);
                    java.util.Arrays.fill(X, 0, gn * Lx, 0f);
                    java.util.Arrays.fill(GY, 0, gn * L, 0f);
                    for (int j = 0; j < gn; j++) {
                        int co = c0 + j;
                        window(x, xo + (n * Cin + co / m) * HW, pl.H, pl.W, pl.pH, pl.pW, pl.Wp, start, len + pl.smax, X, j * Sx, step);
                        window(gy, gyo + (n * Cout + co) * P, pl.Ho, pl.Wo, 0, 0, pl.Wp, start, len, GY, j * S, step);
                    }
                    for (int t = 0; t < pl.taps; t++) {
                        if (skipDead && pl.dead[t]) continue;
                        float[] at = a[t];
                        if (minor) {
                            int end = len * gn;
                            System.arraycopy(X, pl.shift[t] * gn, tmp, 0, end);
                            for (int i = 0; i < end; i++) at[i] = Math.fma(GY[i], tmp[i], at[i]);
                        } else {
                            for (int j = 0; j < gn; j++) {
                                int i0 = j * L, e = i0 + len;
                                System.arraycopy(X, j * Lx + pl.shift[t], tmp, i0, len);
                                for (int i = i0; i < e; i++) at[i] = Math.fma(GY[i], tmp[i], at[i]);
                            }
                        }
                    }
                }
            }
            // gw[c0 + j, t] = Σ_l lane l, in order l = 0, 1, ...: one add chain per (j, t), four taps' chains
            // interleaved so that their adds overlap
            for (int j = 0; j < gn; j++) {
                int o = gwo + (c0 + j) * pl.taps, t = 0;
                for (; t + 4 <= pl.taps; t += 4) {
                    float[] a0 = a[t], a1 = a[t + 1], a2 = a[t + 2], a3 = a[t + 3];
                    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                    for (int l = 0, i = j * S; l < L; l++, i += step) {
                        s0 += a0[i];
                        s1 += a1[i];
                        s2 += a2[i];
                        s3 += a3[i];
                    }
                    gw[o + t] = s0;
                    gw[o + t + 1] = s1;
                    gw[o + t + 2] = s2;
                    gw[o + t + 3] = s3;
                }
                for (; t < pl.taps; t++) {
                    float[] a0 = a[t];
                    float s0 = 0f;
                    for (int l = 0, i = j * S; l < L; l++, i += step) s0 += a0[i];
                    gw[o + t] = s0;
                }
            }
        });
    }

    /** acc[i] = fma(wexp[i], src[i + shift], acc[i]) for i in [lo, end), through tmp. */
    private static void correlateMinor(float[] src, int shift, float[] wexp, float[] tmp, float[] acc, int lo, int end) {
        System.arraycopy(src, shift + lo, tmp, lo, end - lo);
        for (int i = lo; i < end; i++) acc[i] = Math.fma(wexp[i], tmp[i], acc[i]);
    }

    /** Tap t's weights of the group, w[wOff[g] + t], tiled with period G over [0, len). */
    private static float[] weights(float[] w, int[] wOff, int t, Buffers b, int len) {
        int G = wOff.length;
        float[] e = b.wexp(len);
        for (int j = 0; j < G; j++) e[j] = w[wOff[j] + t];
        for (int have = G; have < len; have *= 2) System.arraycopy(e, 0, e, have, Math.min(have, len - have));
        return e;
    }

    /** Whether a[off, off + len) are all finite. */
    private static boolean finite(float[] a, int off, int len) {
        for (int i = off; i < off + len; i++) if (!Float.isFinite(a[i])) return false;
        return true;
    }

    /** Whether tap t's weights of the group are all finite (then skipping a padding-only tap is exact). */
    private static boolean finite(float[] w, int[] wOff, int t) {
        for (int off : wOff) if (!Float.isFinite(w[off + t])) return false;
        return true;
    }

    /**
     * Places a dense rows x cols plane src[sOff ...] at rows r0.., columns c0.. of a plane with row
     * stride Wp, window [start, start + count) of it: position pos goes to dst[dOff + (pos − start)·step].
     * Positions outside the plane are left as they are (the caller zeroes them).
     */
    static void window(float[] src, int sOff, int rows, int cols, int r0, int c0, int Wp, int start, int count,
                       float[] dst, int dOff, int step) {
        int end = start + count;
        for (int r = Math.max(r0, start / Wp); r < r0 + rows && r * Wp + c0 < end; r++) {
            int a = Math.max(start, r * Wp + c0), e = Math.min(end, r * Wp + c0 + cols);
            if (a >= e) continue;
            int s = sOff + (r - r0) * cols + (a - r * Wp - c0), d = dOff + (a - start) * step, len = e - a;
            if (step == 1 && len >= COPY_MIN) {
                System.arraycopy(src, s, dst, d, len);
            } else {
                for (int i = 0; i < len; i++) dst[d + i * step] = src[s + i];
            }
        }
    }

    /** dst[dOff + r·cols + c] = src[sOff + ((r0 + r)·Wp + c0 + c)·step] for r < rows, c < cols. */
    static void unpad(float[] src, int sOff, int step, int Wp, int r0, int c0, int rows, int cols, float[] dst, int dOff) {
        for (int r = 0; r < rows; r++) {
            int s = sOff + ((r0 + r) * Wp + c0) * step, d = dOff + r * cols;
            if (step == 1 && cols >= COPY_MIN) {
                System.arraycopy(src, s, dst, d, cols);
            } else {
                for (int c = 0; c < cols; c++) dst[d + c] = src[s + c * step];
            }
        }
    }

    /** Per-thread scratch, grown once per call to the group's size. */
    private static final class Buffers {
        private float[] in = new float[0], acc = new float[0], tmp = new float[0], wexp = new float[0];
        private float[][] rows = new float[0][];

        float[] in(int n) { return in.length >= n ? in : (in = new float[n]); }
        float[] acc(int n) { return acc.length >= n ? acc : (acc = new float[n]); }
        float[] tmp(int n) { return tmp.length >= n ? tmp : (tmp = new float[n]); }
        float[] wexp(int n) { return wexp.length >= n ? wexp : (wexp = new float[n]); }

        float[][] rows(int r, int n) {
            if (rows.length < r || rows[0].length < n) {
                float[][] grown = new float[Math.max(r, rows.length)][];
                int len = Math.max(n, rows.length == 0 ? 0 : rows[0].length);
                for (int i = 0; i < grown.length; i++) grown[i] = new float[len];
                rows = grown;
            }
            return rows;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
}
