package adl.backend.cpu;

import adl.backend.PoolParams;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.Arrays;

/**
 * Max and average pooling, F32 and F64, PyTorch max_pool2d / avg_pool2d semantics (floor mode,
 * square kernel). Window of output (oh, ow): rows oh·stride - pad .. + kernel - 1, clipped to
 * the input; padding never wins a max. One task per (n, c) plane: forward and backward write
 * only their own plane, so any thread count gives the same bits.
 */
final class CpuPool {
    private CpuPool() {}

    /** Geometry of one call: planes = N·C, input h×w, output oh×ow. */
    private record Geo(int planes, int h, int w, int oh, int ow, PoolParams p) {
        int start(int o) { return o * p.stride() - p.pad(); }
    }

    /** x: [N, C, H, W], y: [N, C, Ho, Wo] with Ho = p.outSize(H), Wo = p.outSize(W). */
    private static Geo geo(Tensor x, Tensor y, PoolParams p, String op) {
        if (x.rank() != 4 || y.rank() != 4) throw new IllegalArgumentException(op + ": x " + x.shape() + " and y " + y.shape() + " must be [N, C, H, W]");
        CpuCopy.requireContiguous(x, op);
        CpuCopy.requireContiguous(y, op);
        int h = x.dim(2), w = x.dim(3), oh = p.outSize(h), ow = p.outSize(w);
        if (oh < 1 || ow < 1 || y.dim(0) != x.dim(0) || y.dim(1) != x.dim(1) || y.dim(2) != oh || y.dim(3) != ow) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + " with " + p + " gives [" + x.dim(0) + ", " + x.dim(1)
                    + ", " + oh + ", " + ow + "], got " + y.shape());
        }
        if (x.dtype() != y.dtype()) throw new IllegalArgumentException(op + ": dtypes " + x.dtype() + " and " + y.dtype());
        return new Geo(x.dim(0) * x.dim(1), h, w, oh, ow, p);
    }

    /** x: [N, C, H, W] -> y: [N, C, Ho, Wo], y = max over each window. NaN propagates (as PyTorch). */
    static void maxForward(Tensor x, PoolParams p, Tensor y) {
        Geo g = geo(x, y, p, "maxPoolForward");
        int xo = (int) x.offset(), yo = (int) y.offset(), k = p.kernel();
        boolean f32 = x.dtype() == DType.F32;
        Parallel.forEach(g.planes(), (long) g.oh() * g.ow() * k * k, pl -> {
            int xb = xo + pl * g.h() * g.w(), yb = yo + pl * g.oh() * g.ow();
            for (int oh = 0; oh < g.oh(); oh++) {
                for (int ow = 0; ow < g.ow(); ow++) {
                    int at = argmax(x, f32, xb, g, oh, ow);
                    if (f32) CpuStorage.f32(y)[yb + oh * g.ow() + ow] = CpuStorage.f32(x)[xb + at];
                    else CpuStorage.f64(y)[yb + oh * g.ow() + ow] = CpuStorage.f64(x)[xb + at];
                }
            }
        });
    }

    /**
     * x, gx: [N, C, H, W]; gy: [N, C, Ho, Wo]. gx = Σ over windows of gy routed to the window's
     * first maximum in row-major scan order (recomputed from x), as PyTorch's saved indices.
     */
    static void maxBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) {
        Geo g = geo(x, gy, p, "maxPoolBackward");
        requireLike(gx, x, "maxPoolBackward gx");
        int xo = (int) x.offset(), go = (int) gy.offset(), ro = (int) gx.offset(), k = p.kernel();
        boolean f32 = x.dtype() == DType.F32;
        Parallel.forEach(g.planes(), (long) g.oh() * g.ow() * k * k, pl -> {
            int xb = xo + pl * g.h() * g.w(), gb = go + pl * g.oh() * g.ow(), rb = ro + pl * g.h() * g.w();
            if (f32) {
                float[] gyA = CpuStorage.f32(gy), gxA = CpuStorage.f32(gx);
                Arrays.fill(gxA, rb, rb + g.h() * g.w(), 0f);
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int ow = 0; ow < g.ow(); ow++) gxA[rb + argmax(x, true, xb, g, oh, ow)] += gyA[gb + oh * g.ow() + ow];
                }
            } else {
                double[] gyA = CpuStorage.f64(gy), gxA = CpuStorage.f64(gx);
                Arrays.fill(gxA, rb, rb + g.h() * g.w(), 0.0);
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int ow = 0; ow < g.ow(); ow++) gxA[rb + argmax(x, false, xb, g, oh, ow)] += gyA[gb + oh * g.ow() + ow];
                }
            }
        });
    }

    /** Index within the plane of the first maximum of window (oh, ow); a NaN wins (PyTorch: val > max || isnan(val)). */
    private static int argmax(Tensor x, boolean f32, int xb, Geo g, int oh, int ow) {
        int k = g.p().kernel(), hs = g.start(oh), ws = g.start(ow);
        int h0 = Math.max(hs, 0), h1 = Math.min(hs + k, g.h()), w0 = Math.max(ws, 0), w1 = Math.min(ws + k, g.w());
        int best = h0 * g.w() + w0;
        if (f32) {
            float[] a = CpuStorage.f32(x);
            float m = Float.NEGATIVE_INFINITY;
            for (int i = h0; i < h1; i++) {
                for (int j = w0; j < w1; j++) {
                    float v = a[xb + i * g.w() + j];
                    if (v > m || Float.isNaN(v)) { m = v; best = i * g.w() + j; }
                }
            }
        } else {
            double[] a = CpuStorage.f64(x);
            double m = Double.NEGATIVE_INFINITY;
            for (int i = h0; i < h1; i++) {
                for (int j = w0; j < w1; j++) {
                    double v = a[xb + i * g.w() + j];
                    if (v > m || Double.isNaN(v)) { m = v; best = i * g.w() + j; }
                }
            }
        }
        return best;
    }

    /**
     * Divisor of window (oh, ow), PyTorch avg_pool2d: the window clipped to the padded input
     * when countIncludePad, else clipped to the input itself.
     */
    private static int divisor(Geo g, int oh, int ow) {
        int k = g.p().kernel(), pad = g.p().pad(), hs = g.start(oh), ws = g.start(ow);
        int he = Math.min(hs + k, g.h() + pad), we = Math.min(ws + k, g.w() + pad);
        if (g.p().countIncludePad()) return (he - hs) * (we - ws);
        return (Math.min(he, g.h()) - Math.max(hs, 0)) * (Math.min(we, g.w()) - Math.max(ws, 0));
    }

    /** x: [N, C, H, W] -> y: [N, C, Ho, Wo], y = window sum / divisor (count_include_pad per p). */
    static void avgForward(Tensor x, PoolParams p, Tensor y) {
        Geo g = geo(x, y, p, "avgPoolForward");
        int xo = (int) x.offset(), yo = (int) y.offset(), k = p.kernel();
        boolean f32 = x.dtype() == DType.F32;
        Parallel.forEach(g.planes(), (long) g.oh() * g.ow() * k * k, pl -> {
            int xb = xo + pl * g.h() * g.w(), yb = yo + pl * g.oh() * g.ow();
            for (int oh = 0; oh < g.oh(); oh++) {
                int hs = g.start(oh), h0 = Math.max(hs, 0), h1 = Math.min(hs + k, g.h());
                for (int ow = 0; ow < g.ow(); ow++) {
                    int ws = g.start(ow), w0 = Math.max(ws, 0), w1 = Math.min(ws + k, g.w());
                    int div = divisor(g, oh, ow);
                    if (f32) {
                        float[] a = CpuStorage.f32(x);
                        float s = 0;
                        for (int i = h0; i < h1; i++) for (int j = w0; j < w1; j++) s += a[xb + i * g.w() + j];
                        CpuStorage.f32(y)[yb + oh * g.ow() + ow] = s / div;
                    } else {
                        double[] a = CpuStorage.f64(x);
                        double s = 0;
                        for (int i = h0; i < h1; i++) for (int j = w0; j < w1; j++) s += a[xb + i * g.w() + j];
                        CpuStorage.f64(y)[yb + oh * g.ow() + ow] = s / div;
                    }
                }
            }
        });
    }

    /** gy: [N, C, Ho, Wo] -> gx: [N, C, H, W]; each window spreads gy / divisor over its input pixels. */
    static void avgBackward(Tensor gy, PoolParams p, Tensor gx) {
        Geo g = geo(gx, gy, p, "avgPoolBackward");
        int go = (int) gy.offset(), ro = (int) gx.offset(), k = p.kernel();
        boolean f32 = gx.dtype() == DType.F32;
        Parallel.forEach(g.planes(), (long) g.oh() * g.ow() * k * k, pl -> {
            int gb = go + pl * g.oh() * g.ow(), rb = ro + pl * g.h() * g.w();
            if (f32) Arrays.fill(CpuStorage.f32(gx), rb, rb + g.h() * g.w(), 0f);
            else Arrays.fill(CpuStorage.f64(gx), rb, rb + g.h() * g.w(), 0.0);
            for (int oh = 0; oh < g.oh(); oh++) {
                int hs = g.start(oh), h0 = Math.max(hs, 0), h1 = Math.min(hs + k, g.h());
                for (int ow = 0; ow < g.ow(); ow++) {
                    int ws = g.start(ow), w0 = Math.max(ws, 0), w1 = Math.min(ws + k, g.w());
                    int div = divisor(g, oh, ow);
                    if (f32) {
                        float[] r = CpuStorage.f32(gx);
                        float v = CpuStorage.f32(gy)[gb + oh * g.ow() + ow] / div;
                        for (int i = h0; i < h1; i++) for (int j = w0; j < w1; j++) r[rb + i * g.w() + j] += v;
                    } else {
                        double[] r = CpuStorage.f64(gx);
                        double v = CpuStorage.f64(gy)[gb + oh * g.ow() + ow] / div;
                        for (int i = h0; i < h1; i++) for (int j = w0; j < w1; j++) r[rb + i * g.w() + j] += v;
                    }
                }
            }
        });
    }

    private static void requireLike(Tensor t, Tensor like, String what) {
        CpuCopy.requireContiguous(t, what);
        if (!t.shape().equals(like.shape()) || t.dtype() != like.dtype()) {
            throw new IllegalArgumentException(what + " " + t.describe() + " must match " + like.describe());
        }
    }
}
