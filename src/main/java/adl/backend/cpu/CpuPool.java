package adl.backend.cpu;

import adl.backend.PoolParams;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.Arrays;

/**
 * Max and average pooling, F32 and F64, PyTorch max_pool2d / avg_pool2d semantics (floor mode,
 * square kernel). Window of output o along an axis: inputs o·stride - pad .. + kernel - 1,
 * clipped to the input; padding never wins a max.
 * <p>Both are separable: a pass along each row (into a [H, Wo] scratch) then along the columns.
 * For max pooling this finds the same element as PyTorch's row-major scan with
 * {@code val > max || isnan(val)}: the first maximum, or the last NaN (the earliest row holding
 * the window maximum, and its first maximum). One task per (n, c) plane: forward and backward
 * write only their own plane, in a fixed order, so any thread count gives the same bits.
 * Average pooling lives in {@link CpuAvgPool}.
 */
final class CpuPool {
    private CpuPool() {}

    /** Tests only: true routes F32 3×3 pooling through the generic loops instead of {@link CpuPool3x3}. */
    static boolean forceGeneric = false;

    /**
     * The windows along one axis: input range [lo, hi) of each output, and the divisor factor
     * (PyTorch avg_pool2d: the window clipped to the padded input when countIncludePad, else to the input).
     */
    record Windows(int[] lo, int[] hi, int[] count) {
        static Windows of(int in, int out, PoolParams p) {
            int[] lo = new int[out], hi = new int[out], count = new int[out];
            for (int o = 0; o < out; o++) {
                int s = o * p.stride() - p.pad(), e = Math.min(s + p.kernel(), in + p.pad());
                lo[o] = Math.max(s, 0);
                hi[o] = Math.min(e, in);
                count[o] = p.countIncludePad() ? e - s : hi[o] - lo[o];
            }
            return new Windows(lo, hi, count);
        }
    }

    /** Geometry of one call: planes = N·C, input h×w, output oh×ow, windows per axis. */
    record Geo(int planes, int h, int w, int oh, int ow, Windows rows, Windows cols, long work) {
        int in() { return h * w; }
        int out() { return oh * ow; }
    }

    /** x: [N, C, H, W], y: [N, C, Ho, Wo] with Ho = p.outSize(H), Wo = p.outSize(W). */
    static Geo geo(Tensor x, Tensor y, PoolParams p, String op) {
        if (x.rank() != 4 || y.rank() != 4) throw new IllegalArgumentException(op + ": x " + x.shape() + " and y " + y.shape() + " must be [N, C, H, W]");
        CpuCopy.requireContiguous(x, op);
        CpuCopy.requireContiguous(y, op);
        int h = x.dim(2), w = x.dim(3), oh = p.outSize(h), ow = p.outSize(w);
        if (oh < 1 || ow < 1 || y.dim(0) != x.dim(0) || y.dim(1) != x.dim(1) || y.dim(2) != oh || y.dim(3) != ow) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + " with " + p + " gives [" + x.dim(0) + ", " + x.dim(1)
                    + ", " + oh + ", " + ow + "], got " + y.shape());
        }
        if (x.dtype() != y.dtype()) throw new IllegalArgumentException(op + ": dtypes " + x.dtype() + " and " + y.dtype());
        return new Geo(x.dim(0) * x.dim(1), h, w, oh, ow, Windows.of(h, oh, p), Windows.of(w, ow, p),
                (long) (h + oh) * ow * p.kernel());
    }

    /** x: [N, C, H, W] -> y: [N, C, Ho, Wo], y = max over each window (NaN wins). */
    static void maxForward(Tensor x, PoolParams p, Tensor y) {
        Geo g = geo(x, y, p, "maxPoolForward");
        int xo = (int) x.offset(), yo = (int) y.offset();
        Windows r = g.rows();
        if (x.dtype() == DType.F32 && CpuPool3x3.applies(p) && !forceGeneric) {
            CpuPool3x3.maxForward(CpuStorage.f32(x), xo, CpuStorage.f32(y), yo, g);
        } else if (x.dtype() == DType.F32) {
            float[] a = CpuStorage.f32(x), b = CpuStorage.f32(y);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                float[] rm = new float[g.h() * g.ow()];
                rowMaxF32(a, xo + pl * g.in(), g, rm, null);
                int yb = yo + pl * g.out();
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int ow = 0; ow < g.ow(); ow++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) {
                            float v = rm[i * g.ow() + ow];
                            m = v > m || v != v ? v : m;
                        }
                        b[yb + oh * g.ow() + ow] = m;
                    }
                }
            });
        } else {
            double[] a = CpuStorage.f64(x), b = CpuStorage.f64(y);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                double[] rm = new double[g.h() * g.ow()];
                rowMaxF64(a, xo + pl * g.in(), g, rm, null);
                int yb = yo + pl * g.out();
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int ow = 0; ow < g.ow(); ow++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) {
                            double v = rm[i * g.ow() + ow];
                            m = v > m || v != v ? v : m;
                        }
                        b[yb + oh * g.ow() + ow] = m;
                    }
                }
            });
        }
    }

    /**
     * x, gx: [N, C, H, W]; gy: [N, C, Ho, Wo]. gx = Σ over windows of gy routed to the window's
     * first maximum in row-major scan order (recomputed from x), as PyTorch's saved indices.
     */
    static void maxBackward(Tensor x, Tensor gy, PoolParams p, Tensor gx) {
        Geo g = geo(x, gy, p, "maxPoolBackward");
        CpuCopy.requireContiguous(gx, "maxPoolBackward gx");
        if (!gx.shape().equals(x.shape()) || gx.dtype() != x.dtype()) {
            throw new IllegalArgumentException("maxPoolBackward: gx " + gx.describe() + " must match x " + x.describe());
        }
        int xo = (int) x.offset(), go = (int) gy.offset(), ro = (int) gx.offset();
        Windows r = g.rows();
        if (x.dtype() == DType.F32 && CpuPool3x3.applies(p) && !forceGeneric) {
            CpuPool3x3.maxBackward(CpuStorage.f32(x), xo, CpuStorage.f32(gy), go, CpuStorage.f32(gx), ro, g);
        } else if (x.dtype() == DType.F32) {
            float[] a = CpuStorage.f32(x), gyA = CpuStorage.f32(gy), gxA = CpuStorage.f32(gx);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                float[] rm = new float[g.h() * g.ow()];
                int[] arg = new int[g.h() * g.ow()];
                rowMaxF32(a, xo + pl * g.in(), g, rm, arg);
                int gb = go + pl * g.out(), rb = ro + pl * g.in();
                Arrays.fill(gxA, rb, rb + g.in(), 0f);
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int ow = 0; ow < g.ow(); ow++) {
                        int best = r.lo()[oh] * g.ow() + ow;
                        float m = Float.NEGATIVE_INFINITY;
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) {
                            int k = i * g.ow() + ow;
                            float v = rm[k];
                            boolean take = v > m || v != v;
                            m = take ? v : m;
                            best = take ? k : best;
                        }
                        gxA[rb + arg[best]] += gyA[gb + oh * g.ow() + ow];
                    }
                }
            });
        } else {
            double[] a = CpuStorage.f64(x), gyA = CpuStorage.f64(gy), gxA = CpuStorage.f64(gx);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                double[] rm = new double[g.h() * g.ow()];
                int[] arg = new int[g.h() * g.ow()];
                rowMaxF64(a, xo + pl * g.in(), g, rm, arg);
                int gb = go + pl * g.out(), rb = ro + pl * g.in();
                Arrays.fill(gxA, rb, rb + g.in(), 0.0);
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int ow = 0; ow < g.ow(); ow++) {
                        int best = r.lo()[oh] * g.ow() + ow;
                        double m = Double.NEGATIVE_INFINITY;
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) {
                            int k = i * g.ow() + ow;
                            double v = rm[k];
                            boolean take = v > m || v != v;
                            m = take ? v : m;
                            best = take ? k : best;
                        }
                        gxA[rb + arg[best]] += gyA[gb + oh * g.ow() + ow];
                    }
                }
            });
        }
    }

    /**
     * Row pass over the plane at xb: rm[i·Wo + o] = max of row i over column window o, and
     * (when arg is non-null) arg[i·Wo + o] = the plane index of that element (first max, or last NaN).
     */
    private static void rowMaxF32(float[] a, int xb, Geo g, float[] rm, int[] arg) {
        Windows c = g.cols();
        for (int i = 0; i < g.h(); i++) {
            int row = i * g.w();
            for (int o = 0; o < g.ow(); o++) {
                int best = row + c.lo()[o];
                float m = Float.NEGATIVE_INFINITY;
                for (int j = row + c.lo()[o], e = row + c.hi()[o]; j < e; j++) {
                    float v = a[xb + j];
                    boolean take = v > m || v != v;
                    m = take ? v : m;
                    best = take ? j : best;
                }
                rm[i * g.ow() + o] = m;
                if (arg != null) arg[i * g.ow() + o] = best;
            }
        }
    }

    private static void rowMaxF64(double[] a, int xb, Geo g, double[] rm, int[] arg) {
        Windows c = g.cols();
        for (int i = 0; i < g.h(); i++) {
            int row = i * g.w();
            for (int o = 0; o < g.ow(); o++) {
                int best = row + c.lo()[o];
                double m = Double.NEGATIVE_INFINITY;
                for (int j = row + c.lo()[o], e = row + c.hi()[o]; j < e; j++) {
                    double v = a[xb + j];
                    boolean take = v > m || v != v;
                    m = take ? v : m;
                    best = take ? j : best;
                }
                rm[i * g.ow() + o] = m;
                if (arg != null) arg[i * g.ow() + o] = best;
            }
        }
    }

    static void avgForward(Tensor x, PoolParams p, Tensor y) { CpuAvgPool.forward(x, p, y); }

    static void avgBackward(Tensor gy, PoolParams p, Tensor gx) { CpuAvgPool.backward(gy, p, gx); }
}
