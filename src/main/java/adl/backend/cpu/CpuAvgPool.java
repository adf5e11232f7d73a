package adl.backend.cpu;

import adl.backend.PoolParams;
import adl.backend.cpu.CpuPool.Geo;
import adl.backend.cpu.CpuPool.Windows;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.Arrays;

/**
 * Average pooling, F32 and F64, PyTorch avg_pool2d semantics (floor mode; divisor per
 * count_include_pad, see {@link Windows}). Separable: window sums along each row into a
 * [H, Wo] scratch, then along the columns; the backward runs the same two passes in reverse.
 * One task per (n, c) plane, so any thread count gives the same bits.
 */
final class CpuAvgPool {
    private CpuAvgPool() {}

    /** x: [N, C, H, W] -> y: [N, C, Ho, Wo], y = window sum / divisor. */
    static void forward(Tensor x, PoolParams p, Tensor y) {
        Geo g = CpuPool.geo(x, y, p, "avgPoolForward");
        int xo = (int) x.offset(), yo = (int) y.offset(), ow = g.ow();
        Windows r = g.rows(), c = g.cols();
        if (x.dtype() == DType.F32 && CpuPool3x3.applies(p) && !CpuPool.forceGeneric) {
            CpuPool3x3.avgForward(CpuStorage.f32(x), xo, CpuStorage.f32(y), yo, g);
        } else if (x.dtype() == DType.F32) {
            float[] a = CpuStorage.f32(x), b = CpuStorage.f32(y);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                float[] rs = new float[g.h() * ow];
                int xb = xo + pl * g.in(), yb = yo + pl * g.out();
                for (int i = 0; i < g.h(); i++) {
                    for (int o = 0; o < ow; o++) {
                        float s = 0;
                        for (int j = xb + i * g.w() + c.lo()[o], e = xb + i * g.w() + c.hi()[o]; j < e; j++) s += a[j];
                        rs[i * ow + o] = s;
                    }
                }
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int o = 0; o < ow; o++) {
                        float s = 0;
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) s += rs[i * ow + o];
                        b[yb + oh * ow + o] = s / (r.count()[oh] * c.count()[o]);
                    }
                }
            });
        } else {
            double[] a = CpuStorage.f64(x), b = CpuStorage.f64(y);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                double[] rs = new double[g.h() * ow];
                int xb = xo + pl * g.in(), yb = yo + pl * g.out();
                for (int i = 0; i < g.h(); i++) {
                    for (int o = 0; o < ow; o++) {
                        double s = 0;
                        for (int j = xb + i * g.w() + c.lo()[o], e = xb + i * g.w() + c.hi()[o]; j < e; j++) s += a[j];
                        rs[i * ow + o] = s;
                    }
                }
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int o = 0; o < ow; o++) {
                        double s = 0;
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) s += rs[i * ow + o];
                        b[yb + oh * ow + o] = s / (r.count()[oh] * c.count()[o]);
                    }
                }
            });
        }
    }

    /**
     * gy: [N, C, Ho, Wo] -> gx: [N, C, H, W]; every input pixel receives gy / divisor from each
     * window holding it: first spread down the columns (into [H, Wo]), then along the rows.
     */
    static void backward(Tensor gy, PoolParams p, Tensor gx) {
        Geo g = CpuPool.geo(gx, gy, p, "avgPoolBackward");
        int go = (int) gy.offset(), ro = (int) gx.offset(), ow = g.ow();
        Windows r = g.rows(), c = g.cols();
        if (gx.dtype() == DType.F32 && CpuPool3x3.applies(p) && !CpuPool.forceGeneric) {
            CpuPool3x3.avgBackward(CpuStorage.f32(gy), go, CpuStorage.f32(gx), ro, g);
        } else if (gx.dtype() == DType.F32) {
            float[] gyA = CpuStorage.f32(gy), gxA = CpuStorage.f32(gx);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                float[] cs = new float[g.h() * ow];
                int gb = go + pl * g.out(), rb = ro + pl * g.in();
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int o = 0; o < ow; o++) {
                        float v = gyA[gb + oh * ow + o] / (r.count()[oh] * c.count()[o]);
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) cs[i * ow + o] += v;
                    }
                }
                Arrays.fill(gxA, rb, rb + g.in(), 0f);
                for (int i = 0; i < g.h(); i++) {
                    for (int o = 0; o < ow; o++) {
                        float v = cs[i * ow + o];
                        for (int j = rb + i * g.w() + c.lo()[o], e = rb + i * g.w() + c.hi()[o]; j < e; j++) gxA[j] += v;
                    }
                }
            });
        } else {
            double[] gyA = CpuStorage.f64(gy), gxA = CpuStorage.f64(gx);
            Parallel.forEach(g.planes(), g.work(), pl -> {
                double[] cs = new double[g.h() * ow];
                int gb = go + pl * g.out(), rb = ro + pl * g.in();
                for (int oh = 0; oh < g.oh(); oh++) {
                    for (int o = 0; o < ow; o++) {
                        double v = gyA[gb + oh * ow + o] / (r.count()[oh] * c.count()[o]);
                        for (int i = r.lo()[oh]; i < r.hi()[oh]; i++) cs[i * ow + o] += v;
                    }
                }
                Arrays.fill(gxA, rb, rb + g.in(), 0.0);
                for (int i = 0; i < g.h(); i++) {
                    for (int o = 0; o < ow; o++) {
                        double v = cs[i * ow + o];
                        for (int j = rb + i * g.w() + c.lo()[o], e = rb + i * g.w() + c.hi()[o]; j < e; j++) gxA[j] += v;
                    }
                }
            });
        }
    }
}
