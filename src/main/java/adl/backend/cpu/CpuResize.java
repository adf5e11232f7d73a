package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.Arrays;

/**
 * Bilinear resize to any output size, F32 and F64, PyTorch
 * {@code F.interpolate(mode='bilinear')} semantics (no scale_factor given):
 * <pre>
 *   align_corners = true:  src = dst · (in - 1) / (out - 1)            (0 when out = 1)
 *   align_corners = false: src = max((dst + 0.5) · in / out - 0.5, 0)  (out = in is the identity)
 *   i0 = floor(src), i1 = min(i0 + 1, in - 1), λ1 = src - i0, λ0 = 1 - λ1
 * </pre>
 * applied separably to rows and columns. One task per (n, c) plane; the backward scatter-adds
 * inside its own plane in a fixed order, so any thread count gives the same bits.
 */
final class CpuResize {
    private CpuResize() {}

    /** Source taps of every output index along one axis: i0, i1 and their weights. */
    private record Taps(int[] i0, int[] i1, double[] l0, double[] l1) {
        static Taps of(int in, int out, boolean alignCorners) {
            int[] i0 = new int[out], i1 = new int[out];
            double[] l0 = new double[out], l1 = new double[out];
            double scale = alignCorners ? (out > 1 ? (double) (in - 1) / (out - 1) : 0.0) : (double) in / out;
            for (int d = 0; d < out; d++) {
                double src = alignCorners ? d * scale : Math.max((d + 0.5) * scale - 0.5, 0.0);
                int a = Math.min((int) src, in - 1);
                i0[d] = a;
                i1[d] = a < in - 1 ? a + 1 : a;
                l1[d] = src - a;
                l0[d] = 1.0 - l1[d];
            }
            return new Taps(i0, i1, l0, l1);
        }

        /** Which of the {@code in} source indices some output reads. */
        boolean[] usedRows(int in) {
            boolean[] used = new boolean[in];
            for (int d = 0; d < i0.length; d++) used[i0[d]] = used[i1[d]] = true;
            return used;
        }

        float[] l0f() { return toFloats(l0); }
        float[] l1f() { return toFloats(l1); }

        private static float[] toFloats(double[] v) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
            return f;
        }
    }

    /** x: [N, C, H, W], y: [N, C, Ho, Wo] (same N, C). Returns the number of planes N·C. */
    private static int check(Tensor x, Tensor y, String op) {
        if (x.rank() != 4 || y.rank() != 4 || x.dim(0) != y.dim(0) || x.dim(1) != y.dim(1)) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + " and y " + y.shape() + " must be [N, C, *, *] with the same N, C");
        }
        if (x.dtype() != y.dtype()) throw new IllegalArgumentException(op + ": dtypes " + x.dtype() + " and " + y.dtype());
        if (x.dim(2) < 1 || x.dim(3) < 1 || y.dim(2) < 1 || y.dim(3) < 1) {
            throw new IllegalArgumentException(op + ": empty spatial size in x " + x.shape() + " or y " + y.shape());
        }
        CpuCopy.requireContiguous(x, op);
        CpuCopy.requireContiguous(y, op);
        return x.dim(0) * x.dim(1);
    }

    /**
     * x: [N, C, H, W] -> y: [N, C, Ho, Wo], Ho and Wo taken from y. Separable: the rows that are
     * read are first interpolated along W into a [H, Wo] scratch, t = λw0·x[.., w0] + λw1·x[.., w1],
     * then y = λh0·t[h0] + λh1·t[h1]: the same products and sums as PyTorch's
     * h0λ·(w0λ·x00 + w1λ·x01) + h1λ·(w0λ·x10 + w1λ·x11).
     */
    static void forward(Tensor x, boolean alignCorners, Tensor y) {
        int planes = check(x, y, "resizeBilinear");
        int h = x.dim(2), w = x.dim(3), oh = y.dim(2), ow = y.dim(3);
        Taps th = Taps.of(h, oh, alignCorners), tw = Taps.of(w, ow, alignCorners);
        boolean[] used = th.usedRows(h);
        int xo = (int) x.offset(), yo = (int) y.offset();
        if (x.dtype() == DType.F32) {
            float[] a = CpuStorage.f32(x), b = CpuStorage.f32(y);
            float[] lh0 = th.l0f(), lh1 = th.l1f(), lw0 = tw.l0f(), lw1 = tw.l1f();
            Parallel.forEach(planes, 3L * (h + oh) * ow, pl -> {
                float[] t = new float[h * ow];
                int xb = xo + pl * h * w, yb = yo + pl * oh * ow;
                for (int i = 0; i < h; i++) {
                    if (!used[i]) continue;
                    for (int j = 0, r = xb + i * w; j < ow; j++) t[i * ow + j] = lw0[j] * a[r + tw.i0()[j]] + lw1[j] * a[r + tw.i1()[j]];
                }
                for (int i = 0; i < oh; i++) {
                    int t0 = th.i0()[i] * ow, t1 = th.i1()[i] * ow, yr = yb + i * ow;
                    float a0 = lh0[i], a1 = lh1[i];
                    for (int j = 0; j < ow; j++) b[yr + j] = a0 * t[t0 + j] + a1 * t[t1 + j];
                }
            });
        } else {
            double[] a = CpuStorage.f64(x), b = CpuStorage.f64(y);
            double[] lh0 = th.l0(), lh1 = th.l1(), lw0 = tw.l0(), lw1 = tw.l1();
            Parallel.forEach(planes, 3L * (h + oh) * ow, pl -> {
                double[] t = new double[h * ow];
                int xb = xo + pl * h * w, yb = yo + pl * oh * ow;
                for (int i = 0; i < h; i++) {
                    if (!used[i]) continue;
                    for (int j = 0, r = xb + i * w; j < ow; j++) t[i * ow + j] = lw0[j] * a[r + tw.i0()[j]] + lw1[j] * a[r + tw.i1()[j]];
                }
                for (int i = 0; i < oh; i++) {
                    int t0 = th.i0()[i] * ow, t1 = th.i1()[i] * ow, yr = yb + i * ow;
                    double a0 = lh0[i], a1 = lh1[i];
                    for (int j = 0; j < ow; j++) b[yr + j] = a0 * t[t0 + j] + a1 * t[t1 + j];
                }
            });
        }
    }

    /**
     * gy: [N, C, Ho, Wo] -> gx: [N, C, H, W]; the forward's two passes transposed: gy is
     * scatter-added down the rows into a [H, Wo] scratch (t[h0] += λh0·gy, t[h1] += λh1·gy), then
     * along each row (gx[.., w0] += λw0·t, gx[.., w1] += λw1·t), in a fixed order per plane.
     */
    static void backward(Tensor gy, boolean alignCorners, Tensor gx) {
        int planes = check(gx, gy, "resizeBilinearBackward");
        int h = gx.dim(2), w = gx.dim(3), oh = gy.dim(2), ow = gy.dim(3);
        Taps th = Taps.of(h, oh, alignCorners), tw = Taps.of(w, ow, alignCorners);
        boolean[] used = th.usedRows(h);
        int go = (int) gy.offset(), ro = (int) gx.offset();
        if (gx.dtype() == DType.F32) {
            float[] g = CpuStorage.f32(gy), r = CpuStorage.f32(gx);
            float[] lh0 = th.l0f(), lh1 = th.l1f(), lw0 = tw.l0f(), lw1 = tw.l1f();
            Parallel.forEach(planes, 3L * (h + oh) * ow, pl -> {
                float[] t = new float[h * ow];
                int gb = go + pl * oh * ow, rb = ro + pl * h * w;
                for (int i = 0; i < oh; i++) {
                    int t0 = th.i0()[i] * ow, t1 = th.i1()[i] * ow, gr = gb + i * ow;
                    float a0 = lh0[i], a1 = lh1[i];
                    for (int j = 0; j < ow; j++) {
                        t[t0 + j] += a0 * g[gr + j];
                        t[t1 + j] += a1 * g[gr + j];
                    }
                }
                Arrays.fill(r, rb, rb + h * w, 0f);
                for (int i = 0; i < h; i++) {
                    if (!used[i]) continue;
                    for (int j = 0, row = rb + i * w; j < ow; j++) {
                        r[row + tw.i0()[j]] += lw0[j] * t[i * ow + j];
                        r[row + tw.i1()[j]] += lw1[j] * t[i * ow + j];
                    }
                }
            });
        } else {
            double[] g = CpuStorage.f64(gy), r = CpuStorage.f64(gx);
            double[] lh0 = th.l0(), lh1 = th.l1(), lw0 = tw.l0(), lw1 = tw.l1();
            Parallel.forEach(planes, 3L * (h + oh) * ow, pl -> {
                double[] t = new double[h * ow];
                int gb = go + pl * oh * ow, rb = ro + pl * h * w;
                for (int i = 0; i < oh; i++) {
                    int t0 = th.i0()[i] * ow, t1 = th.i1()[i] * ow, gr = gb + i * ow;
                    double a0 = lh0[i], a1 = lh1[i];
                    for (int j = 0; j < ow; j++) {
                        t[t0 + j] += a0 * g[gr + j];
                        t[t1 + j] += a1 * g[gr + j];
                    }
                }
                Arrays.fill(r, rb, rb + h * w, 0.0);
                for (int i = 0; i < h; i++) {
                    if (!used[i]) continue;
                    for (int j = 0, row = rb + i * w; j < ow; j++) {
                        r[row + tw.i0()[j]] += lw0[j] * t[i * ow + j];
                        r[row + tw.i1()[j]] += lw1[j] * t[i * ow + j];
                    }
                }
            });
        }
    }
}
