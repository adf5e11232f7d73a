package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.cpu.CpuIm2col.Geom;

/**
 * F32 depthwise convolution (groups == Cin, m = Cout / Cin output channels per input channel;
 * output channel co reads input channel co / m), by direct loops.
 *
 * <p>Stride 1 works on a zero-padded copy of the input plane (Hp x Wp) and lays the output out
 * with the same row stride Wp: then every kernel tap (ki, kj) is one shift of the flattened plane
 * by ki·dh·Wp + kj·dw. The plane is processed in chunks of {@link #CHUNK} positions: per tap the
 * shifted input chunk is copied to index 0 of a scratch array (System.arraycopy), so the
 * multiply-add loop indexes every array with the same {@code i} and C2 vectorises it (see
 * {@link CpuGemm}). The Wp − Wo extra columns of each output row are scratch (discarded; kept
 * zero on the gradient side). Other strides use plain loops.
 */
final class CpuDepthwise {
    /** Plane positions per chunk (a few scratch chunks stay in L1). */
    private static final int CHUNK = 512;
    /** Chunk of the filter gradient: its per-tap partial sums are reduced at the end. */
    private static final int LANES = 256;

    private CpuDepthwise() {}

    private static boolean unitStride(Geom g) { return g.p().strideH() == 1 && g.p().strideW() == 1; }

    /** x: [N, Cin, H, W], w: [Cout, 1, kh, kw], y: [N, Cout, Ho, Wo]. */
    static void forward(float[] x, int xo, float[] w, int wo, float[] y, int yo, int N, int Cin, int Cout, Geom g) {
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(N * Cout, 2L * taps * P, t -> {
            int n = t / Cout, co = t % Cout;
            int xOff = xo + (n * Cin + co / m) * HW, yOff = yo + t * P, wOff = wo + co * taps;
            if (unitStride(g)) forwardUnit(x, xOff, w, wOff, y, yOff, g, CpuGemm.scratch());
            else forwardStrided(x, xOff, w, wOff, y, yOff, g);
        });
    }

    private static void forwardUnit(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Geom g, CpuGemm.Scratch s) {
        ConvParams p = g.p();
        int Wp = g.W() + 2 * p.padW(), Ho = g.Ho(), Wo = g.Wo(), kw = g.kw();
        float[] xp = padded(x, xOff, g, s);
        float[] acc = s.flat(CHUNK), tmp = s.planeB(CHUNK);
        int q = (Ho - 1) * Wp + Wo;
        for (int c0 = 0; c0 < q; c0 += CHUNK) {
            int len = Math.min(CHUNK, q - c0);
            java.util.Arrays.fill(acc, 0, len, 0f);
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    float wv = w[wOff + ki * kw + kj];
                    System.arraycopy(xp, c0 + ki * p.dilationH() * Wp + kj * p.dilationW(), tmp, 0, len);
                    for (int i = 0; i < len; i++) acc[i] = Math.fma(wv, tmp[i], acc[i]);
                }
            }
            scatterRows(acc, c0, len, Wp, 0, Wo, y, yOff, Wo);
        }
    }

    private static void forwardStrided(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Geom g) {
        int kh = g.kh(), kw = g.kw(), H = g.H(), W = g.W(), Wo = g.Wo(), sw = g.p().strideW();
        java.util.Arrays.fill(y, yOff, yOff + g.outPlane(), 0f);
        for (int oh = 0; oh < g.Ho(); oh++) {
            int yr = yOff + oh * Wo;
            for (int ki = 0; ki < kh; ki++) {
                int ih = g.ih(oh, ki);
                if (ih < 0 || ih >= H) continue;
                for (int kj = 0; kj < kw; kj++) {
                    float wv = w[wOff + ki * kw + kj];
                    int src = xOff + ih * W + g.iwOffset(kj);
                    for (int ow = g.owLo(kj), hi = g.owHi(kj); ow < hi; ow++) y[yr + ow] = Math.fma(wv, x[src + ow * sw], y[yr + ow]);
                }
            }
        }
    }

    /** gy: [N, Cout, Ho, Wo], w: [Cout, 1, kh, kw], gx: [N, Cin, H, W]. */
    static void backwardData(float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo, int N, int Cin, int Cout, Geom g) {
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(N * Cin, 2L * m * taps * P, t -> {
            int n = t / Cin, ci = t % Cin;
            int gxOff = gxo + t * HW;
            if (unitStride(g)) {
                backwardDataUnit(gy, gyo + (n * Cout + ci * m) * P, w, wo + ci * m * taps, m, gx, gxOff, g, CpuGemm.scratch());
            } else {
                java.util.Arrays.fill(gx, gxOff, gxOff + HW, 0f);
                for (int k = 0; k < m; k++) {
                    backwardDataStrided(gy, gyo + (n * Cout + ci * m + k) * P, w, wo + (ci * m + k) * taps, gx, gxOff, g);
                }
            }
        });
    }

    /**
     * gx plane = Σ over the m output channels of input channel ci (gy planes at gyOff, gyOff + P, ...):
     * in padded coordinates gxp[i] = Σ_taps w · gyp[i − shift], gathered chunk by chunk over the
     * interior positions only.
     */
    private static void backwardDataUnit(float[] gy, int gyOff, float[] w, int wOff, int m, float[] gx, int gxOff, Geom g, CpuGemm.Scratch s) {
        ConvParams p = g.p();
        int Wp = g.W() + 2 * p.padW(), Ho = g.Ho(), Wo = g.Wo(), taps = g.taps(), kw = g.kw();
        int q = (Ho - 1) * Wp + Wo;
        float[] gyp = s.planeA(m * q);
        for (int k = 0; k < m; k++) paddedRows(gy, gyOff + k * g.outPlane(), Ho, Wo, Wp, gyp, k * q);
        float[] acc = s.flat(CHUNK), tmp = s.planeB(CHUNK);
        int first = p.padH() * Wp + p.padW(), last = (p.padH() + g.H() - 1) * Wp + p.padW() + g.W();
        for (int c0 = first; c0 < last; c0 += CHUNK) {
            int len = Math.min(CHUNK, last - c0);
            java.util.Arrays.fill(acc, 0, len, 0f);
            for (int k = 0; k < m; k++) {
                for (int ki = 0; ki < g.kh(); ki++) {
                    for (int kj = 0; kj < kw; kj++) {
                        float wv = w[wOff + k * taps + ki * kw + kj];
                        int src = c0 - (ki * p.dilationH() * Wp + kj * p.dilationW());
                        int lo = Math.max(0, -src), hi = Math.min(len, q - src);
                        if (lo >= hi) continue;
                        java.util.Arrays.fill(tmp, 0, lo, 0f);
                        System.arraycopy(gyp, k * q + src + lo, tmp, lo, hi - lo);
                        java.util.Arrays.fill(tmp, hi, len, 0f);
                        for (int i = 0; i < len; i++) acc[i] = Math.fma(wv, tmp[i], acc[i]);
                    }
                }
            }
            scatterRows(acc, c0, len, Wp, p.padW(), g.W(), gx, gxOff - p.padH() * g.W(), g.W());
        }
    }

    private static void backwardDataStrided(float[] gy, int gyOff, float[] w, int wOff, float[] gx, int gxOff, Geom g) {
        int kh = g.kh(), kw = g.kw(), H = g.H(), W = g.W(), Wo = g.Wo(), sw = g.p().strideW();
        for (int oh = 0; oh < g.Ho(); oh++) {
            int yr = gyOff + oh * Wo;
            for (int ki = 0; ki < kh; ki++) {
                int ih = g.ih(oh, ki);
                if (ih < 0 || ih >= H) continue;
                for (int kj = 0; kj < kw; kj++) {
                    float wv = w[wOff + ki * kw + kj];
                    int dst = gxOff + ih * W + g.iwOffset(kj);
                    for (int ow = g.owLo(kj), hi = g.owHi(kj); ow < hi; ow++) gx[dst + ow * sw] = Math.fma(wv, gy[yr + ow], gx[dst + ow * sw]);
                }
            }
        }
    }

    /** x: [N, Cin, H, W], gy: [N, Cout, Ho, Wo], gw: [Cout, 1, kh, kw]; sums over n in order. */
    static void backwardFilter(float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, int N, int Cin, int Cout, Geom g) {
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(Cout, 2L * N * taps * P, co -> {
            CpuGemm.Scratch s = CpuGemm.scratch();
            if (unitStride(g)) {
                int lanes = Math.min(LANES, (g.Ho() - 1) * (g.W() + 2 * g.p().padW()) + g.Wo());
                float[][] acc = s.rows(taps, LANES);
                for (int t = 0; t < taps; t++) java.util.Arrays.fill(acc[t], 0, lanes, 0f);
                for (int n = 0; n < N; n++) {
                    filterUnit(x, xo + (n * Cin + co / m) * HW, gy, gyo + (n * Cout + co) * P, g, acc, s);
                }
                for (int t = 0; t < taps; t++) {
                    float sum = 0f;
                    for (int j = 0; j < lanes; j++) sum += acc[t][j];
                    gw[gwo + co * taps + t] = sum;
                }
            } else {
                for (int t = 0; t < taps; t++) gw[gwo + co * taps + t] = 0f;
                for (int n = 0; n < N; n++) {
                    filterStrided(x, xo + (n * Cin + co / m) * HW, gy, gyo + (n * Cout + co) * P, g, gw, gwo + co * taps);
                }
            }
        });
    }

    /** acc[t][j] += partial sums over one sample of gy · (x shifted by tap t), lane j = position mod LANES. */
    private static void filterUnit(float[] x, int xOff, float[] gy, int gyOff, Geom g, float[][] acc, CpuGemm.Scratch s) {
        ConvParams p = g.p();
        int Wp = g.W() + 2 * p.padW(), Ho = g.Ho(), Wo = g.Wo(), kw = g.kw();
        float[] xp = padded(x, xOff, g, s);
        int q = (Ho - 1) * Wp + Wo;
        float[] gyp = s.planeC(q);
        paddedRows(gy, gyOff, Ho, Wo, Wp, gyp, 0);
        float[] gc = s.flat(LANES), tmp = s.planeB(LANES);
        for (int c0 = 0; c0 < q; c0 += LANES) {
            int len = Math.min(LANES, q - c0);
            System.arraycopy(gyp, c0, gc, 0, len);
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    float[] a = acc[ki * kw + kj];
                    System.arraycopy(xp, c0 + ki * p.dilationH() * Wp + kj * p.dilationW(), tmp, 0, len);
                    for (int i = 0; i < len; i++) a[i] = Math.fma(gc[i], tmp[i], a[i]);
                }
            }
        }
    }

    private static void filterStrided(float[] x, int xOff, float[] gy, int gyOff, Geom g, float[] gw, int gwOff) {
        int kh = g.kh(), kw = g.kw(), H = g.H(), W = g.W(), Wo = g.Wo(), sw = g.p().strideW();
        for (int ki = 0; ki < kh; ki++) {
            for (int kj = 0; kj < kw; kj++) {
                double sum = 0;
                for (int oh = 0; oh < g.Ho(); oh++) {
                    int ih = g.ih(oh, ki);
                    if (ih < 0 || ih >= H) continue;
                    int src = xOff + ih * W + g.iwOffset(kj), yr = gyOff + oh * Wo;
                    for (int ow = g.owLo(kj), hi = g.owHi(kj); ow < hi; ow++) sum += (double) gy[yr + ow] * x[src + ow * sw];
                }
                gw[gwOff + ki * kw + kj] += (float) sum;
            }
        }
    }

    /** The x plane at xOff copied into a zeroed (H + 2·padH) x (W + 2·padW) scratch plane. */
    private static float[] padded(float[] x, int xOff, Geom g, CpuGemm.Scratch s) {
        ConvParams p = g.p();
        int Hp = g.H() + 2 * p.padH(), Wp = g.W() + 2 * p.padW(), W = g.W();
        float[] xp = s.planeA(Hp * Wp);
        java.util.Arrays.fill(xp, 0, Hp * Wp, 0f);
        for (int ih = 0; ih < g.H(); ih++) System.arraycopy(x, xOff + ih * W, xp, (ih + p.padH()) * Wp + p.padW(), W);
        return xp;
    }

    /** dst[dOff + oh·Wp + ow] = src plane (Ho x Wo) with zeros in the columns Wo..Wp−1 of rows 0..Ho−2. */
    private static void paddedRows(float[] src, int off, int Ho, int Wo, int Wp, float[] dst, int dOff) {
        for (int oh = 0; oh < Ho; oh++) {
            System.arraycopy(src, off + oh * Wo, dst, dOff + oh * Wp, Wo);
            if (oh + 1 < Ho) java.util.Arrays.fill(dst, dOff + oh * Wp + Wo, dOff + (oh + 1) * Wp, 0f);
        }
    }

    /**
     * Copies the chunk acc[0, len) of a plane with row stride Wp (acc[i] is position c0 + i) to the
     * dense plane dst: position r·Wp + c with col0 ≤ c < col0 + cols goes to dst[dOff + r·ld + c − col0].
     */
    private static void scatterRows(float[] acc, int c0, int len, int Wp, int col0, int cols, float[] dst, int dOff, int ld) {
        int end = c0 + len;
        for (int r = c0 / Wp; r * Wp < end; r++) {
            int a = Math.max(c0, r * Wp + col0), b = Math.min(end, r * Wp + col0 + cols);
            if (a < b) System.arraycopy(acc, a - c0, dst, dOff + r * ld + (a - r * Wp - col0), b - a);
        }
    }
}
