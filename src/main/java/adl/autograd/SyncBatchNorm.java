package adl.autograd;

import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.dist.Collectives;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Synchronised batch normalisation over the ranks of a data-parallel job (docs/08-data-parallel.md):
 * the training-mode statistics of every BatchNorm are those of the global batch, as if one process
 * held it. With M = Σ_r M_r values per channel over the ranks:
 * <pre>
 *   forward:  mean = Σ_r Σ x / M,   var = Σ_r Σ (x − mean)² / M   (two all-reduces of [C] sums, in double)
 *             y = x·scale + shift,  scale = gamma·invstd,  shift = beta − mean·scale
 *             running_var updated with var·M/(M − 1)
 *   backward: G = Σ_r Σ g,  GX = Σ_r Σ g·(x − mean)               (one all-reduce of [2C] sums, in double)
 *             gx = (g − G/M − (x − mean)·GX·invstd²/M)·gamma·invstd
 *             ggamma = GX·invstd, gbeta = G: on rank 0, 0 on the others (the gradient all-reduce adds them)
 * </pre>
 * On the CPU the element-wise work of the statistics (x − mean, its square, g·(x − mean)) and the
 * per-channel sums run in double. On CUDA, whose kernels are float32 (and whose cuDNN batch norm
 * computes its own per-process statistics, so it is not used here), they run on the device in the
 * tensor's dtype and only the [C] sums go to the host, where they are all-reduced and turned into
 * mean, var, scale and shift in double, as on the CPU.
 * The per-channel numbers are computed in double and rounded to the tensor's dtype once, the
 * element-wise arithmetic is the CPU kernel's own (x·scale + shift; (g − G/M − (x − mean)·k)·w), so
 * where the double sums agree the results are the single-process bits. Active on the calling thread
 * inside {@link #use}; with one process NormOps never comes here.
 */
public final class SyncBatchNorm {
    private static final ThreadLocal<Collectives> ACTIVE = new ThreadLocal<>();

    private SyncBatchNorm() {}

    /** Synchronises the training-mode batch norms run on this thread until the guard closes. */
    public static AutoCloseable use(Collectives c) {
        Collectives before = ACTIVE.get();
        if (c.size() > 1) ACTIVE.set(c);
        return () -> {
            if (before == null) ACTIVE.remove();
            else ACTIVE.set(before);
        };
    }

    /** The collectives when synchronised batch norm is on for this thread (and the job has several ranks), else null. */
    static Collectives active() { return ACTIVE.get(); }

    /** The dtype of the statistics' element-wise work: F64 on the CPU, the tensor's own on a GPU (float32 kernels). */
    private static DType acc(Tensor x) { return Device.backendOf(x).device().kind() == Device.Kind.CPU ? DType.F64 : x.dtype(); }

    /** Per-channel sums of x [N, C, H, W], as doubles: [C]. */
    private static double[] channelSums(Tensor x64, Shape perChannel) {
        Tensor s = ElementwiseOps.sumToRaw(x64, perChannel);
        double[] v = Tensors.toDoubles(s);
        if (s != x64) s.close(); // (sumToRaw returns its input when x is already [1, C, 1, 1])
        return v;
    }

    private static Tensor perChannel(Device d, DType dt, Shape shape, double[] v) { return Tensors.of(d, dt, shape, v); }

    /** Training-mode batch norm with global statistics; shapes as {@link NormOps#batchNorm}. */
    static Tensor train(Collectives c, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double momentum, double eps) {
        int ch = x.dim(1);
        Device dev = Device.backendOf(x).device();
        Shape pc = Shape.of(1, ch, 1, 1);
        Tensor cx = Tensors.contiguous(x);
        DType acc = acc(cx);
        Tensor xd = Tensors.cast(cx, acc);
        double[] first = java.util.Arrays.copyOf(channelSums(xd, pc), ch + 1);
        first[ch] = (double) x.dim(0) * x.dim(2) * x.dim(3);
        first = c.allReduceSum(first);
        double m = first[ch];
        if (m < 2) throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel when training, got " + (long) m + " over all ranks");
        double[] mean = new double[ch];
        for (int i = 0; i < ch; i++) mean[i] = first[i] / m;
        Tensor meanD = perChannel(dev, acc, pc, mean);
        Tensor xc = ElementwiseOps.binaryRaw(BinaryOp.SUB, xd, meanD);
        Tensor sq = ElementwiseOps.binaryRaw(BinaryOp.MUL, xc, xc);
        double[] sumSq = c.allReduceSum(channelSums(sq, pc));
        for (Tensor t : new Tensor[] {xd, meanD, xc, sq}) t.close();
        double[] gam = gamma == null ? null : Tensors.toDoubles(gamma), bet = beta == null ? null : Tensors.toDoubles(beta);
        double[] invStd = new double[ch], scale = new double[ch], shift = new double[ch];
        for (int i = 0; i < ch; i++) {
            invStd[i] = 1.0 / Math.sqrt(sumSq[i] / m + eps);
            scale[i] = (gam == null ? 1 : gam[i]) * invStd[i];
            shift[i] = (bet == null ? 0 : bet[i]) - mean[i] * scale[i];
        }
        Tensor scaleT = perChannel(dev, x.dtype(), pc, scale), shiftT = perChannel(dev, x.dtype(), pc, shift);
        Tensor xs = ElementwiseOps.binaryRaw(BinaryOp.MUL, cx, scaleT);
        Tensor y = ElementwiseOps.binaryRaw(BinaryOp.ADD, xs, shiftT);
        for (Tensor t : new Tensor[] {scaleT, shiftT, xs}) t.close();
        if (runningMean != null && runningVar != null) {
            double[] rm = Tensors.toDoubles(runningMean), rv = Tensors.toDoubles(runningVar);
            for (int i = 0; i < ch; i++) {
                rm[i] = (1 - momentum) * rm[i] + momentum * mean[i];
                rv[i] = (1 - momentum) * rv[i] + momentum * sumSq[i] / (m - 1);
            }
            Device.backendOf(runningMean).write(runningMean, rm);
            Device.backendOf(runningVar).write(runningVar, rv);
        }
        if (!Node.wanted(x, gamma, beta)) return y;
        return new Node("sync_batch_norm_train", x, gamma, beta) {
            final Tensor sx = save(cx);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gd = Tensors.cast(g, acc), xd = Tensors.cast(sx, acc);
                Tensor meanD = perChannel(dev, acc, pc, mean);
                Tensor xc = ElementwiseOps.binaryRaw(BinaryOp.SUB, xd, meanD);
                Tensor gxc = ElementwiseOps.binaryRaw(BinaryOp.MUL, gd, xc);
                double[] local = java.util.Arrays.copyOf(channelSums(gd, pc), 2 * ch);
                System.arraycopy(channelSums(gxc, pc), 0, local, ch, ch);
                for (Tensor t : new Tensor[] {gd, xd, meanD, xc, gxc}) t.close();
                double[] global = c.allReduceSum(local); // {G, GX}
                Tensor gx = null;
                if (needs[0]) {
                    double[] gMean = new double[ch], k = new double[ch], w = new double[ch], fm = mean.clone();
                    for (int i = 0; i < ch; i++) {
                        gMean[i] = global[i] / m;
                        k[i] = global[ch + i] * invStd[i] * invStd[i] / m;
                        w[i] = (gam == null ? 1 : gam[i]) * invStd[i];
                    }
                    DType dt = sx.dtype();
                    Tensor meanC = perChannel(dev, dt, pc, fm), gMeanC = perChannel(dev, dt, pc, gMean), kC = perChannel(dev, dt, pc, k), wC = perChannel(dev, dt, pc, w);
                    Tensor d = ElementwiseOps.binaryRaw(BinaryOp.SUB, sx, meanC);
                    Tensor dk = ElementwiseOps.binaryRaw(BinaryOp.MUL, d, kC);
                    Tensor a = ElementwiseOps.binaryRaw(BinaryOp.SUB, g, gMeanC);
                    Tensor b = ElementwiseOps.binaryRaw(BinaryOp.SUB, a, dk);
                    gx = ElementwiseOps.binaryRaw(BinaryOp.MUL, b, wC);
                    for (Tensor t : new Tensor[] {meanC, gMeanC, kC, wC, d, dk, a, b}) t.close();
                }
                boolean lead = c.rank() == 0;
                Tensor ggamma = null, gbeta = null;
                if (needs[1]) {
                    double[] v = new double[ch];
                    for (int i = 0; i < ch && lead; i++) v[i] = global[ch + i] * invStd[i];
                    ggamma = Tensors.of(dev, sx.dtype(), Shape.of(ch), v);
                }
                if (needs[2]) gbeta = Tensors.of(dev, sx.dtype(), Shape.of(ch), lead ? java.util.Arrays.copyOf(global, ch) : new double[ch]);
                return new Tensor[] {gx, ggamma, gbeta};
            }
        }.attach(y);
    }
}
