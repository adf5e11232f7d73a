package adl.nn;

import adl.autograd.Recompute;
import adl.autograd.NormOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * torch.nn.BatchNorm2d (track_running_stats on): x [N, C, H, W] -> y of the same shape.
 * Training mode normalises with the batch statistics and updates running_mean / running_var
 * (unbiased variance) with {@code r = (1 - momentum) r + momentum · batch}; eval mode uses the
 * running statistics. Parameters weight (= 1) and bias (= 0) [C] when affine; buffers
 * running_mean (= 0), running_var (= 1) [C] and num_batches_tracked (a scalar, I32 here, int64
 * in PyTorch), in PyTorch's state_dict order.
 */
public final class BatchNorm2d extends Module {
    private final int features;
    private final double eps, momentum;
    private final Tensor weight, bias, runningMean, runningVar, numBatchesTracked;
    /** Host copy of num_batches_tracked: the tensor is written from it, never read back per step. */
    private long batches;

    /** PyTorch's positional form (features, eps, momentum, affine); code reads better built by name: {@link #of}. */
    public BatchNorm2d(Init init, int features, double eps, double momentum, boolean affine) {
        if (features < 1 || !(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm2d(" + features + ", eps " + eps + ", momentum " + momentum + "): needs features >= 1, eps > 0, momentum in [0, 1]");
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        Shape c = Shape.of(features);
        this.weight = affine ? registerParameter("weight", Parameter.create("weight", () -> init.full(c, 1))) : null;
        this.bias = affine ? registerParameter("bias", Parameter.create("bias", () -> init.full(c, 0))) : null;
        this.runningMean = registerBuffer("running_mean", Parameter.buffer("running_mean", () -> init.full(c, 0)));
        this.runningVar = registerBuffer("running_var", Parameter.buffer("running_var", () -> init.full(c, 1)));
        this.numBatchesTracked = registerBuffer("num_batches_tracked",
                Parameter.buffer("num_batches_tracked", () -> Tensors.zeros(init.device(), DType.I32)));
    }

    /** eps 1e-5, momentum 0.1, affine (PyTorch's defaults). */
    public BatchNorm2d(Init init, int features) { this(init, features, 1e-5, 0.1, true); }

    /** BatchNorm over {@code features} channels, from PyTorch's defaults: eps 1e-5, momentum 0.1, affine. */
    public static Spec of(int features) { return new Spec(features, 1e-5, 0.1, true); }

    /**
     * A BatchNorm2d's arguments by name (PyTorch's keywords), e.g.
     * {@code BatchNorm2d.of(c).affine(false).build(init)}. Immutable: each setter returns a new spec.
     */
    public static final class Spec {
        private final int features;
        private final double eps, momentum;
        private final boolean affine;

        private Spec(int features, double eps, double momentum, boolean affine) {
            this.features = features;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
        }

        public Spec eps(double e) { return new Spec(features, e, momentum, affine); }
        public Spec momentum(double m) { return new Spec(features, eps, m, affine); }
        /** With or without weight and bias (PyTorch's affine=): without, only the running statistics. */
        public Spec affine(boolean a) { return new Spec(features, eps, momentum, a); }

        public BatchNorm2d build(Init init) { return new BatchNorm2d(init, features, eps, momentum, affine); }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != features) {
            throw new IllegalArgumentException("BatchNorm2d(" + features + ") expects x [N, " + features + ", H, W], got " + x.shape());
        }
        // a recomputation for backward (Recompute) gives the same output and leaves the statistics alone,
        // as does a pass under FrozenRunningStats
        boolean again = isTraining() && (Recompute.recomputing() || FrozenRunningStats.active());
        Tensor y = NormOps.batchNorm(x, weight, bias, again ? null : runningMean, again ? null : runningVar, isTraining(), momentum, eps);
        if (isTraining() && !again) batches++;
        return y;
    }

    @Override
    protected void beforeStateRead() {
        Device.backendOf(numBatchesTracked).writeInts(numBatchesTracked, new int[] {(int) Math.min(batches, Integer.MAX_VALUE)});
    }

    @Override
    protected void afterStateLoad() { batches = (long) Tensors.item(numBatchesTracked); }

    /** Counts {@code n} training-mode forward passes run outside Java (replays of a captured CUDA graph). */
    public void countBatches(long n) {
        if (n < 0) throw new IllegalArgumentException("countBatches(" + n + ")");
        batches += n;
    }

    /** Null when not affine. */
    public Tensor weight() { return weight; }
    /** Null when not affine. */
    public Tensor bias() { return bias; }
    public Tensor runningMean() { return runningMean; }
    public Tensor runningVar() { return runningVar; }
    /** Training-mode forward passes so far (PyTorch's num_batches_tracked). */
    public long numBatchesTracked() { return batches; }
    public int numFeatures() { return features; }
    public double eps() { return eps; }
    public double momentum() { return momentum; }
}
