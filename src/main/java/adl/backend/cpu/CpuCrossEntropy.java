package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * Pixel cross-entropy with an ignore label, F32 and F64: PyTorch
 * {@code F.cross_entropy(logits, labels, ignore_index=ignore, reduction='mean')} with no class
 * weights, except that a batch with every pixel ignored gives 0 (PyTorch gives NaN).
 * <pre>
 *   loss_p = logsumexp_c(x[n, c, p]) - x[n, label_p, p]          (p = a pixel, label_p != ignore)
 *   loss   = Σ_p loss_p / count                                   count = #non-ignored pixels
 *   gx[n, c, p] = scale · (softmax_c(x[n, :, p]) - [c == label_p]) / count,   0 where ignored
 * </pre>
 * Work is split into tasks of {@link #BLOCK} pixels of one image (fixed by shape); the per-task
 * partial sums of the loss (double) are combined in task order, so the loss has the same bits for
 * every thread count. F64 is the reference loop (one pixel at a time); F32 walks a block of
 * pixels channel by channel over unit-stride memory.
 */
final class CpuCrossEntropy {
    /** Pixels per parallel task (a constant: the partition never depends on the thread count). */
    private static final int BLOCK = 1024;

    private CpuCrossEntropy() {}

    /** logits: [N, C, H, W] F32/F64; labels: I32 [N, H, W]; loss: 1 element of logits' dtype. */
    static void forward(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        Geometry g = Geometry.of("crossEntropy", logits, labels);
        if (loss.numel() != 1 || loss.dtype() != logits.dtype()) {
            throw new IllegalArgumentException("crossEntropy: loss " + loss.describe() + " must be 1 element of " + logits.dtype());
        }
        long count = g.countValid(labels, ignoreIndex);
        int[] lab = CpuStorage.i32(labels);
        int lo = (int) labels.offset(), xo = (int) logits.offset();
        int blocks = g.blocksPerImage(), tasks = g.n * blocks;
        double[] partial = new double[tasks];
        if (logits.dtype() == DType.F32) {
            float[] x = CpuStorage.f32(logits);
            Parallel.forEach(tasks, (long) BLOCK * g.c * 4, t -> {
                int n = t / blocks, p0 = (t % blocks) * BLOCK, np = Math.min(BLOCK, g.hw - p0);
                partial[t] = lossBlockF32(x, xo + n * g.c * g.hw + p0, lab, lo + n * g.hw + p0, g.c, g.hw, np, ignoreIndex);
            });
        } else {
            double[] x = CpuStorage.f64(logits);
            Parallel.forEach(tasks, (long) BLOCK * g.c * 4, t -> {
                int n = t / blocks, p0 = (t % blocks) * BLOCK, np = Math.min(BLOCK, g.hw - p0);
                double sum = 0;
                for (int p = p0; p < p0 + np; p++) {
                    int label = lab[lo + n * g.hw + p];
                    if (label == ignoreIndex) continue;
                    int base = xo + n * g.c * g.hw + p;
                    double m = Double.NEGATIVE_INFINITY, s = 0;
                    for (int c = 0; c < g.c; c++) m = Math.max(m, x[base + c * g.hw]);
                    for (int c = 0; c < g.c; c++) s += Math.exp(x[base + c * g.hw] - m);
                    sum += m + Math.log(s) - x[base + label * g.hw];
                }
                partial[t] = sum;
            });
        }
        double total = 0;
        for (double v : partial) total += v;
        double mean = count == 0 ? 0 : total / count;
        if (loss.dtype() == DType.F32) CpuStorage.f32(loss)[(int) loss.offset()] = (float) mean;
        else CpuStorage.f64(loss)[(int) loss.offset()] = mean;
    }

    /** logits, gx: [N, C, H, W] (same dtype); labels: I32 [N, H, W]; scale: 1 element of logits' dtype. */
    static void backward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        Geometry g = Geometry.of("crossEntropyBackward", logits, labels);
        CpuCopy.requireContiguous(gx, "crossEntropyBackward");
        if (!gx.shape().equals(logits.shape()) || gx.dtype() != logits.dtype()) {
            throw new IllegalArgumentException("crossEntropyBackward: gx " + gx.describe() + " must match logits " + logits.describe());
        }
        if (scale.numel() != 1 || scale.dtype() != logits.dtype()) {
            throw new IllegalArgumentException("crossEntropyBackward: scale " + scale.describe() + " must be 1 element of " + logits.dtype());
        }
        long count = g.countValid(labels, ignoreIndex);
        double s = CpuCopy.read(scale)[0];
        double k = count == 0 ? 0 : s / count;
        int[] lab = CpuStorage.i32(labels);
        int lo = (int) labels.offset(), xo = (int) logits.offset(), go = (int) gx.offset();
        int blocks = g.blocksPerImage(), tasks = g.n * blocks;
        if (logits.dtype() == DType.F32) {
            float[] x = CpuStorage.f32(logits), d = CpuStorage.f32(gx);
            Parallel.forEach(tasks, (long) BLOCK * g.c * 6, t -> {
                int n = t / blocks, p0 = (t % blocks) * BLOCK, np = Math.min(BLOCK, g.hw - p0);
                int img = n * g.c * g.hw + p0;
                gradBlockF32(x, xo + img, d, go + img, lab, lo + n * g.hw + p0, g.c, g.hw, np, ignoreIndex, (float) k);
            });
        } else {
            double[] x = CpuStorage.f64(logits), d = CpuStorage.f64(gx);
            Parallel.forEach(tasks, (long) BLOCK * g.c * 6, t -> {
                int n = t / blocks, p0 = (t % blocks) * BLOCK, np = Math.min(BLOCK, g.hw - p0);
                for (int p = p0; p < p0 + np; p++) {
                    int label = lab[lo + n * g.hw + p];
                    int xb = xo + n * g.c * g.hw + p, gb = go + n * g.c * g.hw + p;
                    if (label == ignoreIndex) {
                        for (int c = 0; c < g.c; c++) d[gb + c * g.hw] = 0;
                        continue;
                    }
                    double m = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int c = 0; c < g.c; c++) m = Math.max(m, x[xb + c * g.hw]);
                    for (int c = 0; c < g.c; c++) sum += Math.exp(x[xb + c * g.hw] - m);
                    for (int c = 0; c < g.c; c++) {
                        double sm = Math.exp(x[xb + c * g.hw] - m) / sum;
                        d[gb + c * g.hw] = k * (sm - (c == label ? 1 : 0));
                    }
                }
            });
        }
    }

    /** Per pixel i < np the max over the c channels of x[xb + ch·hw + i] (Math.max: NaN wins), channels in order. */
    private static float[] channelMax(float[] x, int xb, int c, int hw, int np) {
        float[] m = new float[np];
        System.arraycopy(x, xb, m, 0, np);
        for (int ch = 1; ch < c; ch++) {
            int p = xb + ch * hw;
            for (int i = 0; i < np; i++) m[i] = Math.max(m[i], x[p + i]);
        }
        return m;
    }

    /** Σ loss_p over np pixels starting at x[xb] (channel stride hw), labels at lab[lb]. */
    private static double lossBlockF32(float[] x, int xb, int[] lab, int lb, int c, int hw, int np, int ignore) {
        float[] m = channelMax(x, xb, c, hw, np);
        double[] s = new double[np];
        for (int ch = 0; ch < c; ch++) {
            int p = xb + ch * hw;
            for (int i = 0; i < np; i++) s[i] += Math.exp(x[p + i] - m[i]);
        }
        double sum = 0;
        for (int i = 0; i < np; i++) {
            int label = lab[lb + i];
            if (label != ignore) sum += m[i] + Math.log(s[i]) - x[xb + label * hw + i];
        }
        return sum;
    }

    /** gx for np pixels starting at x[xb] / gx[gb] (channel stride hw); k = scale / count. */
    private static void gradBlockF32(float[] x, int xb, float[] gx, int gb, int[] lab, int lb, int c, int hw, int np,
                                     int ignore, float k) {
        float[] m = channelMax(x, xb, c, hw, np);
        double[] s = new double[np];
        for (int ch = 0; ch < c; ch++) {
            int p = xb + ch * hw, q = gb + ch * hw;
            for (int i = 0; i < np; i++) {
                float e = (float) Math.exp(x[p + i] - m[i]);
                gx[q + i] = e;
                s[i] += e;
            }
        }
        float[] f = new float[np]; // k / s, or 0 at ignored pixels
        for (int i = 0; i < np; i++) f[i] = lab[lb + i] == ignore ? 0f : (float) (k / s[i]);
        for (int ch = 0; ch < c; ch++) {
            int q = gb + ch * hw;
            for (int i = 0; i < np; i++) gx[q + i] *= f[i];
        }
        for (int i = 0; i < np; i++) {
            int label = lab[lb + i];
            if (label != ignore) gx[gb + label * hw + i] -= k;
        }
    }

    /** Sizes of logits [N, C, H, W] against labels [N, H, W]. */
    private record Geometry(int n, int c, int hw, int h, int w) {
        static Geometry of(String op, Tensor logits, Tensor labels) {
            CpuCopy.requireContiguous(logits, op);
            CpuCopy.requireContiguous(labels, op);
            if (logits.rank() != 4 || (logits.dtype() != DType.F32 && logits.dtype() != DType.F64)) {
                throw new IllegalArgumentException(op + ": logits " + logits.describe() + " must be F32/F64 [N, C, H, W]");
            }
            int n = logits.dim(0), c = logits.dim(1), h = logits.dim(2), w = logits.dim(3);
            if (labels.dtype() != DType.I32 || labels.rank() != 3 || labels.dim(0) != n || labels.dim(1) != h || labels.dim(2) != w) {
                throw new IllegalArgumentException(op + ": labels " + labels.describe() + " must be I32 [" + n + ", " + h + ", " + w
                        + "] to match logits " + logits.describe());
            }
            return new Geometry(n, c, h * w, h, w);
        }

        int blocksPerImage() { return c == 0 ? 0 : (hw + BLOCK - 1) / BLOCK; }

        /** The number of non-ignored pixels; throws on a label outside [0, C) that is not the ignore index. */
        long countValid(Tensor labels, int ignore) {
            int[] lab = CpuStorage.i32(labels);
            int lo = (int) labels.offset(), total = n * hw;
            long count = 0;
            for (int i = 0; i < total; i++) {
                int v = lab[lo + i];
                if (v == ignore) continue;
                if (v < 0 || v >= c) {
                    int img = i / hw, pix = i % hw;
                    throw new IllegalArgumentException("crossEntropy: label " + v + " at [n=" + img + ", h=" + pix / w + ", w=" + pix % w
                            + "] is outside [0, " + c + ") and is not the ignore index " + ignore);
                }
                count++;
            }
            return count;
        }
    }
}
