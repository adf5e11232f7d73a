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
    /** This process's samples [offset, offset + N) of a global batch of globalBatch (0: the batch is all here). */
    private int offset, globalBatch;

    /**
     * Draws every mask as for the global batch of {@code globalBatch} samples and keeps samples
     * [offset, offset + N): a data-parallel rank gets the masks one process would give the same
     * samples (docs/08-data-parallel.md). globalBatch 0 = the batch is all here.
     */
    void shard(int offset, int globalBatch) {
        if (offset < 0 || globalBatch < 0 || (globalBatch > 0 && offset >= globalBatch)) {
            throw new IllegalArgumentException("shard at " + offset + " of a global batch of " + globalBatch);
        }
        this.offset = offset;
        this.globalBatch = globalBatch;
    }

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
        Tensor u = uniform(be, like, shape, site);
        be.unary(UnaryOp.NEG, u, 0, u);
        be.unary(UnaryOp.ADD_SCALAR, u, keep, u);
        Tensor scale = Tensors.full(be.device(), like.dtype(), Shape.of(1), 1 / keep);
        Tensor m = Tensors.emptyLike(u);
        be.binary(BinaryOp.MASK_POSITIVE, scale, u, m);
        u.close();
        scale.close();
        return m;
    }

    /** U[0, 1) of {@code shape}: this shard's samples of the global batch's draw. */
    private Tensor uniform(Backend be, Tensor like, Shape shape, long site) {
        if (globalBatch == 0 || globalBatch == shape.dim(0)) return Tensors.uniform(be.device(), like.dtype(), shape, seedFor(site), 0, 1);
        int[] dims = shape.dims().clone();
        dims[0] = globalBatch;
        Tensor all = Tensors.uniform(be.device(), like.dtype(), Shape.of(dims), seedFor(site), 0, 1);
        long perSample = shape.numel() / shape.dim(0);
        Tensor mine = Tensors.contiguousCopy(Tensors.view(all, shape, all.strides(), all.offset() + offset * perSample));
        all.close();
        return mine;
    }

    long seedFor(long site) { return mix(mix(mix(seed) ^ iteration) ^ site); }

    /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
