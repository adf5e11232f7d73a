package adl.autograd;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.dist.Collectives;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Synchronised batch normalisation over the ranks of a data-parallel job (docs/07-data-parallel.md):
 * the training-mode statistics of every BatchNorm are those of the global batch, as if one process
 * held it. With M = Σ_r M_r values per channel over the ranks:
 * <pre>
 *   forward:  mean = Σ_r Σ x / M,   var = Σ_r Σ (x − mean)² / M   (two all-reduces of [C] sums, in double)
 *             y = gamma·(x − mean)·invstd + beta,   running_var updated with var·M/(M − 1)
 *   backward: G = Σ_r Σ g,  GX = Σ_r Σ g·(x − mean)               (one all-reduce of [2C] sums)
 *             gx = gamma·invstd·(g − G/M − (x − mean)·GX·invstd²/M)
 *             ggamma, gbeta: this rank's own sums (the weight-gradient all-reduce adds the ranks)
 * </pre>
 * Active on the calling thread inside {@link #use}; with one process NormOps never comes here.
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

    /** Training-mode batch norm with global statistics; shapes as {@link NormOps#batchNorm}. */
    static Tensor train(Collectives c, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, double momentum, double eps) {
        int ch = x.dim(1);
        long localCount = (long) x.dim(0) * x.dim(2) * x.dim(3);
        Shape perChannel = Shape.of(1, ch, 1, 1);
        Tensor cx = Tensors.contiguous(x);
        Tensor xd = Tensors.cast(cx, DType.F64);
        Tensor s1 = ElementwiseOps.sumToRaw(xd, perChannel);
        double[] first = new double[ch + 1];
        System.arraycopy(Tensors.toDoubles(s1), 0, first, 0, ch);
        first[ch] = localCount;
        if (s1 != xd) s1.close(); // (sumToRaw returns its input when x is already [1, C, 1, 1])
        first = c.allReduceSum(first);
        double m = first[ch];
        if (m < 2) throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel when training, got " + (long) m + " over all ranks");
        double[] mean = new double[ch];
        for (int i = 0; i < ch; i++) mean[i] = first[i] / m;
        Tensor meanD = Tensors.of(Device.backendOf(x).device(), DType.F64, perChannel, mean);
        Tensor dev = ElementwiseOps.binaryRaw(BinaryOp.SUB, xd, meanD);
        Tensor sq = ElementwiseOps.binaryRaw(BinaryOp.MUL, dev, dev);
        Tensor s2 = ElementwiseOps.sumToRaw(sq, perChannel);
        double[] sumSq = c.allReduceSum(Tensors.toDoubles(s2));
        if (s2 != sq) s2.close();
        for (Tensor t : new Tensor[] {xd, meanD, dev, sq}) t.close();
        double[] varB = new double[ch], invStd = new double[ch];
        for (int i = 0; i < ch; i++) {
            varB[i] = sumSq[i] / m;
            invStd[i] = 1.0 / Math.sqrt(varB[i] + eps);
        }
        Backend be = Device.backendOf(x);
        Tensor meanT = Tensors.of(be.device(), x.dtype(), Shape.of(ch), mean);
        Tensor varT = Tensors.of(be.device(), x.dtype(), Shape.of(ch), varB);
        Tensor invT = Tensors.of(be.device(), x.dtype(), Shape.of(ch), invStd);
        Tensor cg = gamma == null ? null : Tensors.contiguous(gamma);
        Tensor cb = beta == null ? null : Tensors.contiguous(beta);
        Tensor y = Tensors.emptyLike(x);
        be.batchNormEval(cx, cg, cb, meanT, varT, eps, y);
        varT.close();
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
            final Tensor sx = save(cx), sg = cg == null ? null : save(cg), sm = save(meanT), si = save(invT);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gc = Tensors.contiguous(g);
                Tensor ggamma = Tensors.emptyLike(sm), gbeta = Tensors.emptyLike(sm);
                // this rank's Σ g and Σ g·(x − mean)·invstd
                backend().batchNormTrainBackward(sx, gc, sg, sm, si, null, ggamma, gbeta);
                double[] local = new double[2 * ch];
                System.arraycopy(Tensors.toDoubles(gbeta), 0, local, 0, ch);
                System.arraycopy(Tensors.toDoubles(ggamma), 0, local, ch, ch);
                double[] global = c.allReduceSum(local);
                Tensor gx = null;
                if (needs[0]) {
                    double[] gMean = new double[ch], k = new double[ch], w = new double[ch];
                    double[] gam = sg == null ? null : Tensors.toDoubles(sg);
                    for (int i = 0; i < ch; i++) {
                        gMean[i] = global[i] / m;
                        k[i] = global[ch + i] * invStd[i] / m; // GX·invstd²/M with GX = Σ g·(x − mean)
                        w[i] = (gam == null ? 1 : gam[i]) * invStd[i];
                    }
                    Device d = backend().device();
                    Tensor meanC = Tensors.of(d, x.dtype(), perChannel, mean), gMeanC = Tensors.of(d, x.dtype(), perChannel, gMean);
                    Tensor kC = Tensors.of(d, x.dtype(), perChannel, k), wC = Tensors.of(d, x.dtype(), perChannel, w);
                    Tensor xc = ElementwiseOps.binaryRaw(BinaryOp.SUB, sx, meanC);
                    Tensor xk = ElementwiseOps.binaryRaw(BinaryOp.MUL, xc, kC);
                    Tensor a = ElementwiseOps.binaryRaw(BinaryOp.SUB, gc, gMeanC);
                    Tensor b = ElementwiseOps.binaryRaw(BinaryOp.SUB, a, xk);
                    gx = ElementwiseOps.binaryRaw(BinaryOp.MUL, b, wC);
                    for (Tensor t : new Tensor[] {meanC, gMeanC, kC, wC, xc, xk, a, b}) t.close();
                }
                if (gc != g) gc.close();
                if (!needs[1]) { ggamma.close(); ggamma = null; }
                if (!needs[2]) { gbeta.close(); gbeta = null; }
                return new Tensor[] {gx, ggamma, gbeta};
            }
        }.attach(y);
    }
}
