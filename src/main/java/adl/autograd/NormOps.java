package adl.autograd;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.UnaryOp;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Differentiable batch normalisation over the channels of NCHW (PyTorch BatchNorm2d /
 * F.batch_norm). With xhat = (x - mean)·invstd and y = gamma·xhat + beta:
 * <pre>
 *   batch statistics (training):  gx = gamma·invstd·(g - Σg/M - xhat·Σ(g·xhat)/M)   (backend trainBackward)
 *   running statistics (eval):    gx = g·gamma·invstd                               (mean, invstd are constants)
 *   both:                         ggamma = Σ g·xhat,  gbeta = Σ g                    (sums over N, H, W)
 * </pre>
 */
public final class NormOps {
    private NormOps() {}

    /**
     * y = batch_norm(x): x [N, C, H, W]; gamma, beta, runningMean, runningVar [C], each nullable
     * (gamma/beta null = no affine). Training uses the batch statistics and updates the running
     * ones in place (r = (1 - momentum)·r + momentum·batch, unbiased variance). Eval uses the
     * running statistics; without them it uses the batch statistics (PyTorch
     * track_running_stats=False). Running statistics are buffers: no gradient flows into them.
     * Training inside {@link SyncBatchNorm#use} takes the statistics of the global batch of all ranks.
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, double momentum, double eps) {
        if (x.rank() != 4) throw new IllegalArgumentException("batchNorm: x must be [N, C, H, W], got " + x.shape());
        int c = x.dim(1);
        Tensor[] params = {gamma, beta, runningMean, runningVar};
        String[] names = {"gamma", "beta", "runningMean", "runningVar"};
        for (int i = 0; i < params.length; i++) {
            Tensor t = params[i];
            if (t == null) continue;
            if (t.rank() != 1 || t.dim(0) != c) {
                throw new IllegalArgumentException("batchNorm: " + names[i] + " must be [" + c + "] for x " + x.shape() + ", got " + t.shape());
            }
            if (i >= 2 && !t.isContiguous()) throw new IllegalArgumentException("batchNorm: " + names[i] + " is updated in place and must be contiguous");
        }
        adl.dist.Collectives sync = training ? SyncBatchNorm.active() : null;
        if (sync != null) return SyncBatchNorm.train(sync, x, gamma, beta, runningMean, runningVar, momentum, eps);
        Backend be = Device.backendOf(x);
        boolean batchStats = training || runningMean == null || runningVar == null;
        Tensor cx = Tensors.contiguous(x);
        Tensor cg = gamma == null ? null : Tensors.contiguous(gamma);
        Tensor cb = beta == null ? null : Tensors.contiguous(beta);
        Tensor y = Tensors.emptyLike(x);
        Tensor mean, invStd;
        if (batchStats) {
            mean = Tensors.emptyLike(x, Shape.of(c));
            invStd = Tensors.emptyLike(x, Shape.of(c));
            be.batchNormTrain(cx, cg, cb, training ? runningMean : null, training ? runningVar : null, momentum, eps, y, mean, invStd);
        } else {
            be.batchNormEval(cx, cg, cb, runningMean, runningVar, eps, y);
            if (!Node.wanted(x, gamma, beta)) return y;
            mean = Tensors.contiguousCopy(runningMean);
            invStd = ElementwiseOps.unaryRaw(UnaryOp.RECIPROCAL, ElementwiseOps.unaryRaw(UnaryOp.SQRT,
                    ElementwiseOps.unaryRaw(UnaryOp.ADD_SCALAR, runningVar, eps), 0), 0);
        }
        if (!Node.wanted(x, gamma, beta)) return y;
        return (batchStats ? trainNode(x, gamma, beta, cx, cg, mean, invStd) : evalNode(x, gamma, beta, cx, cg, mean, invStd)).attach(y);
    }

    private static Node trainNode(Tensor x, Tensor gamma, Tensor beta, Tensor cx, Tensor cg, Tensor mean, Tensor invStd) {
        return new Node("batch_norm_train", x, gamma, beta) {
            final Tensor sx = save(cx), sg = cg == null ? null : save(cg), sm = save(mean), si = save(invStd);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gc = Tensors.contiguous(g);
                Tensor gx = Tensors.emptyLike(sx);
                Tensor ggamma = needs[1] ? Tensors.emptyLike(sm) : null;
                Tensor gbeta = needs[2] ? Tensors.emptyLike(sm) : null;
                backend().batchNormTrainBackward(sx, gc, sg, sm, si, gx, ggamma, gbeta);
                gc.close();
                if (!needs[0]) {
                    gx.close();
                    gx = null;
                }
                return new Tensor[] {gx, ggamma, gbeta};
            }
        };
    }

    private static Node evalNode(Tensor x, Tensor gamma, Tensor beta, Tensor cx, Tensor cg, Tensor mean, Tensor invStd) {
        int c = x.dim(1);
        Shape perChannel = Shape.of(1, c, 1, 1);
        return new Node("batch_norm_eval", x, gamma, beta) {
            final Tensor sx = gamma != null && gamma.requiresGrad() ? save(cx) : null;
            final Tensor sg = cg == null ? null : save(cg), sm = save(mean), si = save(invStd);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor[] out = new Tensor[3];
                Tensor inv4 = ShapeOps.reshapeRaw(si, perChannel);
                if (needs[0]) {
                    Tensor scale = sg == null ? inv4 : ElementwiseOps.binaryRaw(BinaryOp.MUL, ShapeOps.reshapeRaw(sg, perChannel), inv4);
                    out[0] = ElementwiseOps.binaryRaw(BinaryOp.MUL, g, scale);
                }
                if (needs[1]) {
                    Tensor xhat = ElementwiseOps.binaryRaw(BinaryOp.MUL,
                            ElementwiseOps.binaryRaw(BinaryOp.SUB, sx, ShapeOps.reshapeRaw(sm, perChannel)), inv4);
                    Tensor gxhat = ElementwiseOps.binaryRaw(BinaryOp.MUL, g, xhat);
                    xhat.close();
                    out[1] = ShapeOps.reshapeRaw(ElementwiseOps.sumToRaw(gxhat, perChannel), Shape.of(c));
                    gxhat.close();
                }
                if (needs[2]) out[2] = ShapeOps.reshapeRaw(ElementwiseOps.sumToRaw(g, perChannel), Shape.of(c));
                return out;
            }
        };
    }
}
