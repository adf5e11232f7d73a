package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * Batch normalisation over the channels of NCHW, F32 and F64, PyTorch BatchNorm2d semantics:
 * training normalises with the biased batch variance and updates the running variance with
 * the unbiased one, r = (1 - momentum) * r + momentum * batch. One task per channel; each task
 * loops n then h·w in order and accumulates in double (F32: four interleaved partial sums), so
 * any thread count gives the same bits.
 */
final class CpuBatchNorm {
    private CpuBatchNorm() {}

    /** Per-channel geometry of a contiguous [N, C, H, W] tensor. */
    private record Dims(int n, int c, int hw) {
        int count() { return n * hw; }
        /** Offset (without the tensor's own offset) of plane (i, ch). */
        int plane(int i, int ch) { return (i * c + ch) * hw; }
    }

    private static Dims dims(Tensor x, String op) {
        if (x.rank() != 4) throw new IllegalArgumentException(op + ": x must be [N, C, H, W], got " + x.shape());
        CpuCopy.requireContiguous(x, op);
        return new Dims(x.dim(0), x.dim(1), x.dim(2) * x.dim(3));
    }

    private static void requireChannels(Tensor t, String name, Dims d, String op) {
        if (t == null) return;
        CpuCopy.requireContiguous(t, op, name);
        if (t.rank() != 1 || t.dim(0) != d.c()) {
            throw new IllegalArgumentException(op + ": " + name + " must be [" + d.c() + "], got " + t.shape());
        }
    }

    private static void requireSame(Tensor t, Tensor x, String name, String op) {
        CpuCopy.requireContiguous(t, op, name);
        if (!t.shape().equals(x.shape()) || t.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.describe() + " must match x " + x.describe());
        }
    }

    /**
     * x, y: [N, C, H, W]; gamma, beta, runningMean, runningVar, saveMean, saveInvStd: [C]
     * (gamma/beta/running* may be null). saveInvStd = 1/sqrt(var_biased + eps).
     */
    static void train(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                      double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        String op = "batchNormTrain";
        Dims d = dims(x, op);
        requireSame(y, x, "y", op);
        for (Tensor t : new Tensor[] {gamma, beta, runningMean, runningVar, saveMean, saveInvStd}) requireChannels(t, "[C] argument", d, op);
        if (saveMean == null || saveInvStd == null) throw new IllegalArgumentException(op + ": saveMean and saveInvStd are required");
        int m = d.count();
        if (m < 2) throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got x " + x.shape());
        Parallel.forEach(d.c(), 3L * m, c -> {
            double[] stats = x.dtype() == DType.F32 ? statsF32(x, d, c, pair()) : statsF64(x, d, c, pair());
            double mean = stats[0], varB = stats[1] / m, varU = stats[1] / (m - 1);
            double invStd = 1.0 / Math.sqrt(varB + eps);
            double g = get(gamma, c, 1.0), b = get(beta, c, 0.0);
            double scale = g * invStd, shift = b - mean * scale;
            if (x.dtype() == DType.F32) affineF32(x, y, d, c, (float) scale, (float) shift);
            else affineF64(x, y, d, c, scale, shift);
            set(saveMean, c, mean);
            set(saveInvStd, c, invStd);
            if (runningMean != null) set(runningMean, c, (1 - momentum) * get(runningMean, c, 0) + momentum * mean);
            if (runningVar != null) set(runningVar, c, (1 - momentum) * get(runningVar, c, 0) + momentum * varU);
        });
    }

    /** x, y: [N, C, H, W]; gamma, beta (nullable), runningMean, runningVar: [C]. */
    static void eval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        String op = "batchNormEval";
        Dims d = dims(x, op);
        requireSame(y, x, "y", op);
        if (runningMean == null || runningVar == null) throw new IllegalArgumentException(op + ": running statistics are required");
        for (Tensor t : new Tensor[] {gamma, beta, runningMean, runningVar}) requireChannels(t, "[C] argument", d, op);
        Parallel.forEach(d.c(), d.count(), c -> {
            double invStd = 1.0 / Math.sqrt(get(runningVar, c, 0) + eps);
            double scale = get(gamma, c, 1.0) * invStd, shift = get(beta, c, 0.0) - get(runningMean, c, 0) * scale;
            if (x.dtype() == DType.F32) affineF32(x, y, d, c, (float) scale, (float) shift);
            else affineF64(x, y, d, c, scale, shift);
        });
    }

    /**
     * x, gy, gx: [N, C, H, W]; gamma (null = 1), saveMean, saveInvStd, ggamma, gbeta: [C]
     * (ggamma/gbeta null = not wanted; gx null = not wanted too). With M = N·H·W, xhat = (x - mean)·invstd:
     * gbeta = Σ gy, ggamma = Σ gy·xhat, gx = gamma·invstd·(gy - gbeta/M - xhat·ggamma/M).
     */
    static void trainBackward(Tensor x, Tensor gy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                              Tensor gx, Tensor ggamma, Tensor gbeta) {
        String op = "batchNormTrainBackward";
        Dims d = dims(x, op);
        requireSame(gy, x, "gy", op);
        if (gx != null) requireSame(gx, x, "gx", op);
        for (Tensor t : new Tensor[] {gamma, saveMean, saveInvStd, ggamma, gbeta}) requireChannels(t, "[C] argument", d, op);
        int m = d.count();
        Parallel.forEach(d.c(), 3L * m, c -> {
            double mean = get(saveMean, c, 0), invStd = get(saveInvStd, c, 0);
            double[] sums = x.dtype() == DType.F32 ? gradSumsF32(x, gy, d, c, mean, pair()) : gradSumsF64(x, gy, d, c, mean, pair());
            double sumG = sums[0], sumGXc = sums[1]; // Σ gy, Σ gy·(x - mean)
            if (gbeta != null) set(gbeta, c, sumG);
            if (ggamma != null) set(ggamma, c, sumGXc * invStd);
            if (gx == null) return;
            double w = get(gamma, c, 1.0) * invStd;
            double gMean = sumG / m, k = sumGXc * invStd * invStd / m;
            if (x.dtype() == DType.F32) gxF32(x, gy, gx, d, c, mean, gMean, k, w);
            else gxF64(x, gy, gx, d, c, mean, gMean, k, w);
        });
    }

    /** The calling thread's two-double result buffer (the per-channel sums below return through it: no garbage per channel). */
    private static final ThreadLocal<double[]> PAIR = ThreadLocal.withInitial(() -> new double[2]);

    private static double[] pair() { return PAIR.get(); }

    private static double[] two(double[] out, double a, double b) {
        out[0] = a;
        out[1] = b;
        return out;
    }

    // ---- F32 loops ----

    /**
     * {mean, Σ (x - mean)²} of channel c: two passes, each with four interleaved double partial sums
     * (element i of a plane goes to sum i mod 4, over the planes in order; then (s0 + s1) + (s2 + s3)),
     * so the adds are four independent chains instead of one latency-bound chain. The order depends
     * on the shape only.
     */
    private static double[] statsF32(Tensor x, Dims d, int c, double[] out) {
        float[] a = CpuStorage.f32(x);
        int off = (int) x.offset(), hw = d.hw();
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int n = 0; n < d.n(); n++) {
            int base = off + d.plane(n, c), i = base, end = base + hw;
            for (; i + 3 < end; i += 4) {
                s0 += a[i];
                s1 += a[i + 1];
                s2 += a[i + 2];
                s3 += a[i + 3];
            }
            for (; i < end; i++) s0 += a[i];
        }
        double mean = ((s0 + s1) + (s2 + s3)) / d.count();
        double v0 = 0, v1 = 0, v2 = 0, v3 = 0;
        for (int n = 0; n < d.n(); n++) {
            int base = off + d.plane(n, c), i = base, end = base + hw;
            for (; i + 3 < end; i += 4) {
                double e0 = a[i] - mean, e1 = a[i + 1] - mean, e2 = a[i + 2] - mean, e3 = a[i + 3] - mean;
                v0 += e0 * e0;
                v1 += e1 * e1;
                v2 += e2 * e2;
                v3 += e3 * e3;
            }
            for (; i < end; i++) {
                double e = a[i] - mean;
                v0 += e * e;
            }
        }
        return two(out, mean, (v0 + v1) + (v2 + v3));
    }

    /** y = x·scale + shift on channel c; one index for both arrays when they share an offset (C2 vectorises). */
    private static void affineF32(Tensor x, Tensor y, Dims d, int c, float scale, float shift) {
        float[] a = CpuStorage.f32(x), b = CpuStorage.f32(y);
        int xo = (int) x.offset(), yo = (int) y.offset(), hw = d.hw();
        for (int n = 0; n < d.n(); n++) {
            int p = d.plane(n, c);
            if (xo == yo) {
                for (int i = xo + p, end = xo + p + hw; i < end; i++) b[i] = a[i] * scale + shift;
            } else {
                for (int i = 0; i < hw; i++) b[yo + p + i] = a[xo + p + i] * scale + shift;
            }
        }
    }

    /** {Σ gy, Σ gy·(x − mean)} of channel c, with four interleaved partial sums as {@link #statsF32}. */
    private static double[] gradSumsF32(Tensor x, Tensor gy, Dims d, int c, double mean, double[] out) {
        float[] a = CpuStorage.f32(x), g = CpuStorage.f32(gy);
        int xo = (int) x.offset(), go = (int) gy.offset(), hw = d.hw();
        double g0 = 0, g1 = 0, g2 = 0, g3 = 0, x0 = 0, x1 = 0, x2 = 0, x3 = 0;
        for (int n = 0; n < d.n(); n++) {
            int p = d.plane(n, c), xb = xo + p, gb = go + p, i = 0;
            for (; i + 3 < hw; i += 4) {
                double a0 = g[gb + i], a1 = g[gb + i + 1], a2 = g[gb + i + 2], a3 = g[gb + i + 3];
                g0 += a0;
                g1 += a1;
                g2 += a2;
                g3 += a3;
                x0 += a0 * (a[xb + i] - mean);
                x1 += a1 * (a[xb + i + 1] - mean);
                x2 += a2 * (a[xb + i + 2] - mean);
                x3 += a3 * (a[xb + i + 3] - mean);
            }
            for (; i < hw; i++) {
                double gi = g[gb + i];
                g0 += gi;
                x0 += gi * (a[xb + i] - mean);
            }
        }
        return two(out, (g0 + g1) + (g2 + g3), (x0 + x1) + (x2 + x3));
    }

    /** gx = (gy − gMean − (x − mean)·k)·w on channel c; one index when the three offsets agree. */
    private static void gxF32(Tensor x, Tensor gy, Tensor gx, Dims d, int c, double mean, double gMean, double k, double w) {
        float[] a = CpuStorage.f32(x), g = CpuStorage.f32(gy), r = CpuStorage.f32(gx);
        int xo = (int) x.offset(), go = (int) gy.offset(), ro = (int) gx.offset(), hw = d.hw();
        float fm = (float) mean, fgm = (float) gMean, fk = (float) k, fw = (float) w;
        for (int n = 0; n < d.n(); n++) {
            int p = d.plane(n, c);
            if (xo == go && go == ro) {
                for (int i = xo + p, end = xo + p + hw; i < end; i++) r[i] = (g[i] - fgm - (a[i] - fm) * fk) * fw;
            } else {
                for (int i = 0; i < hw; i++) r[ro + p + i] = (g[go + p + i] - fgm - (a[xo + p + i] - fm) * fk) * fw;
            }
        }
    }

    // ---- F64 loops (the same arithmetic in double) ----

    private static double[] statsF64(Tensor x, Dims d, int c, double[] out) {
        double[] a = CpuStorage.f64(x);
        int off = (int) x.offset(), hw = d.hw();
        double s = 0;
        for (int n = 0; n < d.n(); n++) {
            int base = off + d.plane(n, c);
            for (int i = 0; i < hw; i++) s += a[base + i];
        }
        double mean = s / d.count(), v = 0;
        for (int n = 0; n < d.n(); n++) {
            int base = off + d.plane(n, c);
            for (int i = 0; i < hw; i++) {
                double e = a[base + i] - mean;
                v += e * e;
            }
        }
        return two(out, mean, v);
    }

    private static void affineF64(Tensor x, Tensor y, Dims d, int c, double scale, double shift) {
        double[] a = CpuStorage.f64(x), b = CpuStorage.f64(y);
        int xo = (int) x.offset(), yo = (int) y.offset(), hw = d.hw();
        for (int n = 0; n < d.n(); n++) {
            int p = d.plane(n, c);
            for (int i = 0; i < hw; i++) b[yo + p + i] = a[xo + p + i] * scale + shift;
        }
    }

    private static double[] gradSumsF64(Tensor x, Tensor gy, Dims d, int c, double mean, double[] out) {
        double[] a = CpuStorage.f64(x), g = CpuStorage.f64(gy);
        int xo = (int) x.offset(), go = (int) gy.offset(), hw = d.hw();
        double sg = 0, sgx = 0;
        for (int n = 0; n < d.n(); n++) {
            int p = d.plane(n, c);
            for (int i = 0; i < hw; i++) {
                sg += g[go + p + i];
                sgx += g[go + p + i] * (a[xo + p + i] - mean);
            }
        }
        return two(out, sg, sgx);
    }

    private static void gxF64(Tensor x, Tensor gy, Tensor gx, Dims d, int c, double mean, double gMean, double k, double w) {
        double[] a = CpuStorage.f64(x), g = CpuStorage.f64(gy), r = CpuStorage.f64(gx);
        int xo = (int) x.offset(), go = (int) gy.offset(), ro = (int) gx.offset(), hw = d.hw();
        for (int n = 0; n < d.n(); n++) {
            int p = d.plane(n, c);
            for (int i = 0; i < hw; i++) r[ro + p + i] = (g[go + p + i] - gMean - (a[xo + p + i] - mean) * k) * w;
        }
    }

    // ---- [C] parameter access (either dtype) ----

    private static double get(Tensor t, int c, double absent) {
        if (t == null) return absent;
        int i = (int) t.offset() + c;
        return t.dtype() == DType.F32 ? CpuStorage.f32(t)[i] : CpuStorage.f64(t)[i];
    }

    private static void set(Tensor t, int c, double v) {
        int i = (int) t.offset() + c;
        if (t.dtype() == DType.F32) CpuStorage.f32(t)[i] = (float) v;
        else CpuStorage.f64(t)[i] = v;
    }
}
