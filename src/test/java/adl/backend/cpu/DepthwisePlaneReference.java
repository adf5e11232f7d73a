package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.cpu.CpuIm2col.Geom;

/**
 * Test oracle: the stride-1 F32 depthwise kernels as CpuDepthwise had them before the plane-batched
 * rewrite (one task per plane, chunks of 512 positions, filter lanes of 256), kept verbatim so
 * ConvParityTest can require the production kernels to stay bitwise identical to them.
 *
 * <p>Stride 1 only. The input plane is zero-padded (Hp x Wp) and the output laid out with the same
 * row stride Wp, so every tap (ki, kj) is one shift of the flattened plane by ki·dh·Wp + kj·dw.
 */
final class DepthwisePlaneReference {
    /** Plane positions per chunk (a few scratch chunks stay in L1). */
    private static final int CHUNK = 512;
    /** Chunk of the filter gradient: its per-tap partial sums are reduced at the end. */
    private static final int LANES = 256;

    private DepthwisePlaneReference() {}

    /** x: [N, Cin, H, W], w: [Cout, 1, kh, kw], y: [N, Cout, Ho, Wo]. */
    static void forward(float[] x, int xo, float[] w, int wo, float[] y, int yo, int N, int Cin, int Cout, Geom g) {
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(N * Cout, 2L * taps * P, t -> {
            int n = t / Cout, co = t % Cout;
            int xOff = xo + (n * Cin + co / m) * HW, yOff = yo + t * P, wOff = wo + co * taps;
            forwardUnit(x, xOff, w, wOff, y, yOff, g, CpuGemm.scratch());
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

    /** gy: [N, Cout, Ho, Wo], w: [Cout, 1, kh, kw], gx: [N, Cin, H, W]. */
    static void backwardData(float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo, int N, int Cin, int Cout, Geom g) {
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(N * Cin, 2L * m * taps * P, t -> {
            int n = t / Cin, ci = t % Cin;
            int gxOff = gxo + t * HW;
            backwardDataUnit(gy, gyo + (n * Cout + ci * m) * P, w, wo + ci * m * taps, m, gx, gxOff, g, CpuGemm.scratch());
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

    /** x: [N, Cin, H, W], gy: [N, Cout, Ho, Wo], gw: [Cout, 1, kh, kw]; sums over n in order. */
    static void backwardFilter(float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, int N, int Cin, int Cout, Geom g) {
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(Cout, 2L * N * taps * P, co -> {
            CpuGemm.Scratch s = CpuGemm.scratch();
            {
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
