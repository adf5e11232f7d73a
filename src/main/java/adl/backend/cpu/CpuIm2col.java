package adl.backend.cpu;

import adl.backend.ConvParams;

/**
 * The im2col family for F32 convolution, on a block of output pixels [p0, p0 + pb) of one sample.
 * Rows of the column matrix are r = ci·kh·kw + ki·kw + kj (the order of a weight row
 * w[co, ci, ki, kj]); the value for output pixel p = oh·Wo + ow is
 * x[ci, oh·sh − padH + ki·dh, ow·sw − padW + kj·dw], 0 outside the image (PyTorch zero padding).
 */
final class CpuIm2col {
    private CpuIm2col() {}

    /** Geometry of one convolution call: x plane H x W, kernel kh x kw, output Ho x Wo. */
    record Geom(int H, int W, int kh, int kw, int Ho, int Wo, ConvParams p) {
        int taps() { return kh * kw; }
        int inPlane() { return H * W; }
        int outPlane() { return Ho * Wo; }

        /** First ow whose input column ow·sw − padW + kj·dw is ≥ 0. */
        int owLo(int kj) {
            int need = p.padW() - kj * p.dilationW();
            return need <= 0 ? 0 : Math.min(Wo, (need + p.strideW() - 1) / p.strideW());
        }

        /** One past the last ow whose input column is < W. */
        int owHi(int kj) {
            int lim = W + p.padW() - kj * p.dilationW();
            return lim <= 0 ? 0 : Math.min(Wo, (lim + p.strideW() - 1) / p.strideW());
        }

        int ih(int oh, int ki) { return oh * p.strideH() - p.padH() + ki * p.dilationH(); }

        int iwOffset(int kj) { return kj * p.dilationW() - p.padW(); }
    }

    /**
     * col[r][0, pb) = column-matrix rows r = 0 .. channels·kh·kw − 1 for pixels [p0, p0 + pb),
     * reading channels ci = 0 .. channels − 1 of x starting at x[xOff] (planes of H·W).
     */
    static void im2col(float[] x, int xOff, int channels, Geom g, int p0, int pb, float[][] col) {
        int kh = g.kh(), kw = g.kw(), Wo = g.Wo(), H = g.H(), W = g.W(), sw = g.p().strideW();
        int p1 = p0 + pb;
        for (int ci = 0; ci < channels; ci++) {
            int plane = xOff + ci * g.inPlane();
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    float[] dst = col[(ci * kh + ki) * kw + kj];
                    int lo = g.owLo(kj), hi = g.owHi(kj), off = g.iwOffset(kj);
                    for (int oh = p0 / Wo; oh * Wo < p1; oh++) {
                        int a = Math.max(0, p0 - oh * Wo), b = Math.min(Wo, p1 - oh * Wo);
                        int d = oh * Wo - p0;
                        int ih = g.ih(oh, ki);
                        if (ih < 0 || ih >= H) {
                            java.util.Arrays.fill(dst, d + a, d + b, 0f);
                            continue;
                        }
                        int va = Math.max(a, lo), vb = Math.min(b, hi);
                        if (va >= vb) {
                            java.util.Arrays.fill(dst, d + a, d + b, 0f);
                            continue;
                        }
                        java.util.Arrays.fill(dst, d + a, d + va, 0f);
                        int src = plane + ih * W + off;
                        if (sw == 1) {
                            System.arraycopy(x, src + va, dst, d + va, vb - va);
                        } else {
                            for (int ow = va; ow < vb; ow++) dst[d + ow] = x[src + ow * sw];
                        }
                        java.util.Arrays.fill(dst, d + vb, d + b, 0f);
                    }
                }
            }
        }
    }

    /**
     * gx[ci, ...] += the column-matrix gradient col[r·ldc + (p − p0)] scattered back to the input
     * pixels it was read from (the adjoint of {@link #im2col}); channels start at gx[gxOff].
     */
    static void col2im(float[] col, int ldc, int channels, Geom g, int p0, int pb, float[] gx, int gxOff) {
        int kh = g.kh(), kw = g.kw(), Wo = g.Wo(), H = g.H(), W = g.W(), sw = g.p().strideW();
        int p1 = p0 + pb;
        for (int ci = 0; ci < channels; ci++) {
            int plane = gxOff + ci * g.inPlane();
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((ci * kh + ki) * kw + kj) * ldc;
                    int lo = g.owLo(kj), hi = g.owHi(kj), off = g.iwOffset(kj);
                    for (int oh = p0 / Wo; oh * Wo < p1; oh++) {
                        int ih = g.ih(oh, ki);
                        if (ih < 0 || ih >= H) continue;
                        int va = Math.max(Math.max(0, p0 - oh * Wo), lo), vb = Math.min(Math.min(Wo, p1 - oh * Wo), hi);
                        int d = row + oh * Wo - p0;
                        int dst = plane + ih * W + off;
                        if (sw == 1) {
                            for (int ow = va; ow < vb; ow++) gx[dst + ow] += col[d + ow];
                        } else {
                            for (int ow = va; ow < vb; ow++) gx[dst + ow * sw] += col[d + ow];
                        }
                    }
                }
            }
        }
    }

    /**
     * Transposed im2col for the filter gradient: colT[p − p0][r] for pixels [p0, p0 + pb) and rows
     * r = 0 .. channels·kh·kw − 1 of channels starting at x[xOff].
     */
    static void im2colT(float[] x, int xOff, int channels, Geom g, int p0, int pb, float[][] colT) {
        int kh = g.kh(), kw = g.kw(), Wo = g.Wo(), H = g.H(), W = g.W(), sw = g.p().strideW();
        int p1 = p0 + pb;
        if (CpuConv.isPointwise(g)) {   // 1x1, stride 1, no padding: a plain transpose of x's pixels
            for (int j = 0; j < pb; j++) {
                float[] dst = colT[j];
                int src = xOff + p0 + j;
                for (int ci = 0; ci < channels; ci++) dst[ci] = x[src + ci * g.inPlane()];
            }
            return;
        }
        for (int ci = 0; ci < channels; ci++) {
            int plane = xOff + ci * g.inPlane();
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int r = (ci * kh + ki) * kw + kj;
                    int lo = g.owLo(kj), hi = g.owHi(kj), off = g.iwOffset(kj);
                    for (int oh = p0 / Wo; oh * Wo < p1; oh++) {
                        int a = Math.max(0, p0 - oh * Wo), b = Math.min(Wo, p1 - oh * Wo);
                        int d = oh * Wo - p0;
                        int ih = g.ih(oh, ki);
                        boolean rowIn = ih >= 0 && ih < H;
                        int src = plane + ih * W + off;
                        for (int ow = a; ow < b; ow++) {
                            colT[d + ow][r] = rowIn && ow >= lo && ow < hi ? x[src + ow * sw] : 0f;
                        }
                    }
                }
            }
        }
    }
}
