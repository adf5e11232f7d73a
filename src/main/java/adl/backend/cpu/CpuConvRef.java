package adl.backend.cpu;

import adl.backend.cpu.CpuIm2col.Geom;

/**
 * F64 reference convolution: the definition written as plain loops (PyTorch conv2d:
 * y[n, co, oh, ow] = Σ_{ci in group, ki, kj} w[co, ci, ki, kj] · x[n, g·Cin/G + ci, oh·sh − ph + ki·dh, ow·sw − pw + kj·dw]).
 * Used by the gradient checker and as the oracle of the F32 parity tests. Single-threaded.
 */
final class CpuConvRef {
    private CpuConvRef() {}

    /** x: [N, Cin, H, W], w: [Cout, Cin/G, kh, kw], y: [N, Cout, Ho, Wo]. */
    static void forward(double[] x, int xo, double[] w, int wo, double[] y, int yo, int N, int Cin, int Cout, Geom g) {
        int G = g.p().groups(), cinG = Cin / G, coutG = Cout / G, kh = g.kh(), kw = g.kw();
        for (int n = 0; n < N; n++) {
            for (int co = 0; co < Cout; co++) {
                int cBase = (co / coutG) * cinG;
                for (int oh = 0; oh < g.Ho(); oh++) {
                    for (int ow = 0; ow < g.Wo(); ow++) {
                        double sum = 0;
                        for (int ci = 0; ci < cinG; ci++) {
                            for (int ki = 0; ki < kh; ki++) {
                                int ih = g.ih(oh, ki);
                                if (ih < 0 || ih >= g.H()) continue;
                                for (int kj = 0; kj < kw; kj++) {
                                    int iw = iw(g, ow, kj);
                                    if (iw < 0 || iw >= g.W()) continue;
                                    sum += w[wo + ((co * cinG + ci) * kh + ki) * kw + kj]
                                            * x[xo + ((n * Cin + cBase + ci) * g.H() + ih) * g.W() + iw];
                                }
                            }
                        }
                        y[yo + ((n * Cout + co) * g.Ho() + oh) * g.Wo() + ow] = sum;
                    }
                }
            }
        }
    }

    /** gy: [N, Cout, Ho, Wo], w: [Cout, Cin/G, kh, kw], gx: [N, Cin, H, W]. */
    static void backwardData(double[] gy, int gyo, double[] w, int wo, double[] gx, int gxo, int N, int Cin, int Cout, Geom g) {
        int G = g.p().groups(), cinG = Cin / G, coutG = Cout / G, kh = g.kh(), kw = g.kw();
        java.util.Arrays.fill(gx, gxo, gxo + N * Cin * g.inPlane(), 0.0);
        for (int n = 0; n < N; n++) {
            for (int co = 0; co < Cout; co++) {
                int cBase = (co / coutG) * cinG;
                for (int oh = 0; oh < g.Ho(); oh++) {
                    for (int ow = 0; ow < g.Wo(); ow++) {
                        double gv = gy[gyo + ((n * Cout + co) * g.Ho() + oh) * g.Wo() + ow];
                        for (int ci = 0; ci < cinG; ci++) {
                            for (int ki = 0; ki < kh; ki++) {
                                int ih = g.ih(oh, ki);
                                if (ih < 0 || ih >= g.H()) continue;
                                for (int kj = 0; kj < kw; kj++) {
                                    int iw = iw(g, ow, kj);
                                    if (iw < 0 || iw >= g.W()) continue;
                                    gx[gxo + ((n * Cin + cBase + ci) * g.H() + ih) * g.W() + iw] +=
                                            w[wo + ((co * cinG + ci) * kh + ki) * kw + kj] * gv;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** x: [N, Cin, H, W], gy: [N, Cout, Ho, Wo], gw: [Cout, Cin/G, kh, kw]. */
    static void backwardFilter(double[] x, int xo, double[] gy, int gyo, double[] gw, int gwo, int N, int Cin, int Cout, Geom g) {
        int G = g.p().groups(), cinG = Cin / G, coutG = Cout / G, kh = g.kh(), kw = g.kw();
        for (int co = 0; co < Cout; co++) {
            int cBase = (co / coutG) * cinG;
            for (int ci = 0; ci < cinG; ci++) {
                for (int ki = 0; ki < kh; ki++) {
                    for (int kj = 0; kj < kw; kj++) {
                        double sum = 0;
                        for (int n = 0; n < N; n++) {
                            for (int oh = 0; oh < g.Ho(); oh++) {
                                int ih = g.ih(oh, ki);
                                if (ih < 0 || ih >= g.H()) continue;
                                for (int ow = 0; ow < g.Wo(); ow++) {
                                    int iw = iw(g, ow, kj);
                                    if (iw < 0 || iw >= g.W()) continue;
                                    sum += gy[gyo + ((n * Cout + co) * g.Ho() + oh) * g.Wo() + ow]
                                            * x[xo + ((n * Cin + cBase + ci) * g.H() + ih) * g.W() + iw];
                                }
                            }
                        }
                        gw[gwo + ((co * cinG + ci) * kh + ki) * kw + kj] = sum;
                    }
                }
            }
        }
    }

    private static int iw(Geom g, int ow, int kj) { return ow * g.p().strideW() + g.iwOffset(kj); }
}
