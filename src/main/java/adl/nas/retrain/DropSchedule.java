package adl.nas.retrain;

import adl.autograd.ElementwiseOps;
import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.UnaryOp;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * The randomness of dropout and drop-path, a pure function of (seed, iteration, site): every
 * mask is drawn on the input's device from its own seed, so a resumed run draws the same masks
 * as an uninterrupted one. A site is a fixed number per place in the network (the ASPP dropout,
 * each cell op). Also the training progress that schedules drop-path.
 */
final class DropSchedule {
    private long seed, iteration;
    private double progress;

    void set(long seed, long iteration, double progress) {
        if (!(progress >= 0 && progress <= 1)) throw new IllegalArgumentException("training progress must be in [0, 1], got " + progress);
        if (iteration < 0) throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
        this.seed = seed;
        this.iteration = iteration;
        this.progress = progress;
    }

    double progress() { return progress; }

    /**
     * Scheduled drop-path keep probability of cell {@code cell} (0-based) of {@code cells}, as the
     * released hnasnet (nas_cell.py): scaled by depth, k_c = 1 − (c + 1)/L · (1 − k), then by
     * progress p, 1 − p · (1 − k_c). k = 1 (drop-path off) gives 1.
     */
    double dropPathKeep(double keep, int cell, int cells) {
        double byDepth = 1 - (cell + 1) / (double) cells * (1 - keep);
        return 1 - progress * (1 - byDepth);
    }

    /** x [N, C, H, W] with whole samples zeroed with probability 1 − keep, the rest scaled by 1/keep. */
    Tensor dropPath(Tensor x, double keep, long site) {
        return keep >= 1 ? x : ElementwiseOps.mul(x, mask(x, Shape.of(x.dim(0), 1, 1, 1), keep, site));
    }

    /** Inverted dropout: each element zeroed with probability 1 − keep, the rest scaled by 1/keep. */
    Tensor dropout(Tensor x, double keep, long site) {
        return keep >= 1 ? x : ElementwiseOps.mul(x, mask(x, x.shape(), keep, site));
    }

    /** mask = (u < keep) / keep with u ~ U[0, 1) seeded by (seed, iteration, site); no gradient. */
    private Tensor mask(Tensor like, Shape shape, double keep, long site) {
        Backend be = Device.backendOf(like);
        Tensor u = Tensors.uniform(be.device(), like.dtype(), shape, seedFor(site), 0, 1);
        be.unary(UnaryOp.NEG, u, 0, u);
        be.unary(UnaryOp.ADD_SCALAR, u, keep, u);
        Tensor scale = Tensors.full(be.device(), like.dtype(), Shape.of(1), 1 / keep);
        Tensor m = Tensors.emptyLike(u);
        be.binary(BinaryOp.MASK_POSITIVE, scale, u, m);
        u.close();
        scale.close();
        return m;
    }

    long seedFor(long site) { return mix(mix(mix(seed) ^ iteration) ^ site); }

    /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
