package adl.backend.cpu;

import adl.backend.cpu.CpuIm2col.Geom;

/**
 * F32 depthwise convolution (groups == Cin, m = Cout / Cin output channels per input channel;
 * output channel co reads input channel co / m). Stride 1 (every depthwise convolution of the
 * search) goes to {@link DepthwisePlanes}, which batches many planes per call; other strides
 * (the stem and retrain paths) use plain loops, one plane per task.
 */
final class CpuDepthwise {
    private CpuDepthwise() {}

    private static boolean unitStride(Geom g) { return g.p().strideH() == 1 && g.p().strideW() == 1; }

    /** x: [N, Cin, H, W], w: [Cout, 1, kh, kw], y: [N, Cout, Ho, Wo]. */
    static void forward(float[] x, int xo, float[] w, int wo, float[] y, int yo, int N, int Cin, int Cout, Geom g) {
        if (unitStride(g)) {
            DepthwisePlanes.forward(x, xo, w, wo, y, yo, N, Cin, Cout, g);
            return;
        }
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(N * Cout, 2L * taps * P, t -> {
            int n = t / Cout, co = t % Cout;
            forwardStrided(x, xo + (n * Cin + co / m) * HW, w, wo + co * taps, y, yo + t * P, g);
        });
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
        if (unitStride(g)) {
            DepthwisePlanes.backwardData(gy, gyo, w, wo, gx, gxo, N, Cin, Cout, g);
            return;
        }
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(N * Cin, 2L * m * taps * P, t -> {
            int n = t / Cin, ci = t % Cin;
            int gxOff = gxo + t * HW;
            java.util.Arrays.fill(gx, gxOff, gxOff + HW, 0f);
            for (int k = 0; k < m; k++) {
                backwardDataStrided(gy, gyo + (n * Cout + ci * m + k) * P, w, wo + (ci * m + k) * taps, gx, gxOff, g);
            }
        });
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
        if (unitStride(g)) {
            DepthwisePlanes.backwardFilter(x, xo, gy, gyo, gw, gwo, N, Cin, Cout, g);
            return;
        }
        int m = Cout / Cin, taps = g.taps(), P = g.outPlane(), HW = g.inPlane();
        CpuConv.forEach(Cout, 2L * N * taps * P, co -> {
            for (int t = 0; t < taps; t++) gw[gwo + co * taps + t] = 0f;
            for (int n = 0; n < N; n++) {
                filterStrided(x, xo + (n * Cin + co / m) * HW, gy, gyo + (n * Cout + co) * P, g, gw, gwo + co * taps);
            }
        });
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
}
