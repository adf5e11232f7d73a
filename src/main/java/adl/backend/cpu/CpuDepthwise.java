package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.cpu.CpuIm2col.Geom;

/**
 * F32 depthwise convolution (groups == Cin, m = Cout / Cin output channels per input channel;
 * output channel co reads input channel co / m), by direct loops.
 *
 * <p>Stride 1 works on a zero-padded copy of the input plane (Hp x Wp) and lays the output out
 * with the same row stride Wp: then every kernel tap (ki, kj) is one shift of the flattened plane
 * by ki·dh·Wp + kj·dw, and each tap is a single long vectorisable loop. The Wp − Wo extra columns
 * of each output row are scratch (discarded; kept zero on the gradient side). Other strides use
 * plain loops.
 */
final class CpuDepthwise {
    /** Lanes of the per-tap partial sums of the filter gradient. */
    private static final int LANES = 128;

    private CpuDepthwise() {}

    private static boolean unitStride(Geom g) { return g.p().strideH() == 1 && g.p().strideW() == 1; }

    /** x: [N, Cin, H, W], w: [Cout, 1, kh, kw], y: [N, Cout, Ho, Wo]. */
    static void forward(float[] x, int xo, float[] w, int wo, float[] y, int yo, int N, int Cin, int Cout, Geom g) {
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        Parallel.forEach(N * Cout, 2L * taps * P, t -> {
            int n = t / Cout, co = t % Cout;
            int xOff = xo + (n * Cin + co / m) * HW, yOff = yo + t * P, wOff = wo + co * taps;
            if (unitStride(g)) forwardUnit(x, xOff, w, wOff, y, yOff, g, CpuGemm.scratch());
            else forwardStrided(x, xOff, w, wOff, y, yOff, g);
        });
    }

    private static void forwardUnit(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Geom g, CpuGemm.Scratch s) {
        ConvParams p = g.p();
        int Wp = g.W() + 2 * p.padW(), Ho = g.Ho(), Wo = g.Wo();
        float[] xp = padded(x, xOff, g, s);
        int q = (Ho - 1) * Wp + Wo;
        float[] yp = s.planeB(q);
        java.util.Arrays.fill(yp, 0, q, 0f);
        for (int ki = 0; ki < g.kh(); ki++) {
            for (int kj = 0; kj < g.kw(); kj++) {
                float wv = w[wOff + ki * g.kw() + kj];
                int off = ki * p.dilationH() * Wp + kj * p.dilationW();
                for (int i = 0; i < q; i++) yp[i] = Math.fma(wv, xp[off + i], yp[i]);
            }
        }
        for (int oh = 0; oh < Ho; oh++) System.arraycopy(yp, oh * Wp, y, yOff + oh * Wo, Wo);
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
        Parallel.forEach(N * Cin, 2L * m * taps * P, t -> {
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

    /** gx plane = Σ over the m output channels of input channel ci (gy planes at gyOff, gyOff + P, ...). */
    private static void backwardDataUnit(float[] gy, int gyOff, float[] w, int wOff, int m, float[] gx, int gxOff, Geom g, CpuGemm.Scratch s) {
        ConvParams p = g.p();
        int Hp = g.H() + 2 * p.padH(), Wp = g.W() + 2 * p.padW(), Ho = g.Ho(), Wo = g.Wo(), taps = g.taps();
        float[] gxp = s.planeA(Hp * Wp);
        java.util.Arrays.fill(gxp, 0, Hp * Wp, 0f);
        int q = (Ho - 1) * Wp + Wo;
        float[] gyp = s.planeB(q);
        for (int k = 0; k < m; k++) {
            paddedRows(gy, gyOff + k * g.outPlane(), Ho, Wo, Wp, gyp);
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    float wv = w[wOff + k * taps + ki * g.kw() + kj];
                    int off = ki * p.dilationH() * Wp + kj * p.dilationW();
                    for (int i = 0; i < q; i++) gxp[off + i] = Math.fma(wv, gyp[i], gxp[off + i]);
                }
            }
        }
        for (int ih = 0; ih < g.H(); ih++) System.arraycopy(gxp, (ih + p.padH()) * Wp + p.padW(), gx, gxOff + ih * g.W(), g.W());
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
        Parallel.forEach(Cout, 2L * N * taps * P, co -> {
            CpuGemm.Scratch s = CpuGemm.scratch();
            if (unitStride(g)) {
                float[] acc = s.small(taps * LANES);
                java.util.Arrays.fill(acc, 0, taps * LANES, 0f);
                for (int n = 0; n < N; n++) {
                    filterUnit(x, xo + (n * Cin + co / m) * HW, gy, gyo + (n * Cout + co) * P, g, acc, s);
                }
                for (int t = 0; t < taps; t++) {
                    float sum = 0f;
                    for (int j = 0; j < LANES; j++) sum += acc[t * LANES + j];
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

    /** acc[t·LANES + j] += partial sums over one sample of gy · (x shifted by tap t). */
    private static void filterUnit(float[] x, int xOff, float[] gy, int gyOff, Geom g, float[] acc, CpuGemm.Scratch s) {
        ConvParams p = g.p();
        int Wp = g.W() + 2 * p.padW(), Ho = g.Ho(), Wo = g.Wo();
        float[] xp = padded(x, xOff, g, s);
        int q = (Ho - 1) * Wp + Wo;
        float[] gyp = s.planeB(q);
        paddedRows(gy, gyOff, Ho, Wo, Wp, gyp);
        for (int ki = 0; ki < g.kh(); ki++) {
            for (int kj = 0; kj < g.kw(); kj++) {
                int t = ki * g.kw() + kj, a = t * LANES;
                int off = ki * p.dilationH() * Wp + kj * p.dilationW();
                for (int i0 = 0; i0 < q; i0 += LANES) {
                    int len = Math.min(LANES, q - i0), xs = off + i0;
                    for (int j = 0; j < len; j++) acc[a + j] = Math.fma(gyp[i0 + j], xp[xs + j], acc[a + j]);
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

    /** dst[oh·Wp + ow] = src plane (Ho x Wo) with zeros in the columns Wo..Wp−1 of rows 0..Ho−2. */
    private static void paddedRows(float[] src, int off, int Ho, int Wo, int Wp, float[] dst) {
        for (int oh = 0; oh < Ho; oh++) {
            System.arraycopy(src, off + oh * Wo, dst, oh * Wp, Wo);
            if (oh + 1 < Ho) java.util.Arrays.fill(dst, oh * Wp + Wo, (oh + 1) * Wp, 0f);
        }
    }
}
