package adl.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Every setting of a search (paper §4.2, §5.1; docs/03-bilevel.md §4, §8), resolved and immutable.
 * Parsed by the CLI, saved as config.json in the run directory, read back on resume.
 *
 * @param resize        scale applied to every image and label of a real dataset as it is read (0.5: the paper's half-resolution Cityscapes)
 * @param itersPerEpoch 0 = one pass over the A half (|A| / batch)
 * @param trainImages   size of the training split (synthetic data; it is divided into A and B)
 * @param valImages     validation images scored after every epoch
 * @param checkpointMinutes a checkpoint is also written when this much time passed since the last one
 * @param keepCheckpoints how many periodic checkpoints are kept (the best one is kept as well)
 * @param recompute     recompute the cell edges' candidate ops in backward (bitwise the same numbers as storing
 *                      them; stored, and restored on resume). Written only when true, so that a config.json
 *                      without it reads the same in older and newer versions.
 * @param archOrder     1: first-order architecture gradient (the paper's); 2: the unrolled second-order one
 *                      (docs/03-bilevel.md §9); absent in an older config.json, read as 1
 * @param unrolledLr    ξ of the second-order virtual step; null = the current weight learning rate
 */
public record SearchConfig(
        @JsonProperty("dataset") String dataset,
        @JsonProperty("data") String data,
        @JsonProperty("resize") double resize,
        @JsonProperty("device") String device,
        @JsonProperty("layers") int layers,
        @JsonProperty("blocks") int blocks,
        @JsonProperty("filter_multiplier") int filterMultiplier,
        @JsonProperty("crop") int crop,
        @JsonProperty("batch") int batch,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("arch_start_epoch") int archStartEpoch,
        @JsonProperty("iters_per_epoch") int itersPerEpoch,
        @JsonProperty("lr") double lr,
        @JsonProperty("lr_min") double lrMin,
        @JsonProperty("momentum") double momentum,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("arch_lr") double archLr,
        @JsonProperty("arch_weight_decay") double archWeightDecay,
        @JsonProperty("arch_beta1") double archBeta1,
        @JsonProperty("arch_beta2") double archBeta2,
        @JsonProperty("train_images") int trainImages,
        @JsonProperty("val_images") int valImages,
        @JsonProperty("seed") long seed,
        @JsonProperty("threads") int threads,
        @JsonProperty("checkpoint_minutes") double checkpointMinutes,
        @JsonProperty("keep_checkpoints") int keepCheckpoints,
        @JsonProperty("recompute") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean recompute,
        @JsonProperty("arch_order") Integer archOrder,
        @JsonProperty("unrolled_lr") Double unrolledLr) {

    @JsonCreator
    public SearchConfig {
        if (archOrder == null) archOrder = 1; // a config.json from before the option: first order
        require(resize > 0 && resize <= 4, "--resize must be in (0, 4] (0.5 = half resolution)");
        require(layers >= 1, "--layers must be >= 1");
        require(blocks >= 1, "--blocks must be >= 1");
        require(filterMultiplier >= 1, "--filter-multiplier must be >= 1");
        require(crop >= 16, "--crop must be >= 16 (four halvings below the stem)");
        require(batch >= 2, "--batch must be >= 2 (batch norm needs two values per channel in the image-pooling branch)");
        require(epochs >= 1, "--epochs must be >= 1");
        require(archStartEpoch >= 0, "--arch-start-epoch must be >= 0");
        require(itersPerEpoch >= 0, "--iters-per-epoch must be >= 0 (0 = one pass over the A half)");
        require(lr > 0 && lrMin >= 0 && lrMin <= lr, "need 0 <= --lr-min <= --lr and --lr > 0");
        require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1)");
        require(weightDecay >= 0 && archWeightDecay >= 0, "weight decays must be >= 0");
        require(archLr > 0, "--arch-lr must be > 0");
        require(archBeta1 >= 0 && archBeta1 < 1 && archBeta2 >= 0 && archBeta2 < 1, "--arch-betas must be in [0, 1)");
        require(trainImages >= 2, "need at least 2 training images (one for each of the halves A and B; a half smaller than a batch is cycled)");
        require(valImages >= 1, "--val-images must be >= 1");
        require(threads >= 1, "--threads must be >= 1");
        require(checkpointMinutes > 0, "--checkpoint-minutes must be > 0");
        require(keepCheckpoints >= 1, "--keep-checkpoints must be >= 1");
        require(archOrder == 1 || archOrder == 2, "--arch-order must be 1 or 2, got " + archOrder);
        require(unrolledLr == null || (unrolledLr >= 0 && !unrolledLr.isInfinite()), "--unrolled-lr must be >= 0, got " + unrolledLr);
    }

    /** First order (the paper's): the settings above without the second-order options. */
    public SearchConfig(String dataset, String data, double resize, String device, int layers, int blocks, int filterMultiplier, int crop,
                        int batch, int epochs, int archStartEpoch, int itersPerEpoch, double lr, double lrMin, double momentum,
                        double weightDecay, double archLr, double archWeightDecay, double archBeta1, double archBeta2, int trainImages,
                        int valImages, long seed, int threads, double checkpointMinutes, int keepCheckpoints) {
        this(dataset, data, resize, device, layers, blocks, filterMultiplier, crop, batch, epochs, archStartEpoch, itersPerEpoch, lr, lrMin,
                momentum, weightDecay, archLr, archWeightDecay, archBeta1, archBeta2, trainImages, valImages, seed, threads,
                checkpointMinutes, keepCheckpoints, false, 1, null);
    }

    /** The same settings with --recompute on or off. */
    public SearchConfig withRecompute(boolean on) {
        return new SearchConfig(dataset, data, resize, device, layers, blocks, filterMultiplier, crop, batch, epochs, archStartEpoch,
                itersPerEpoch, lr, lrMin, momentum, weightDecay, archLr, archWeightDecay, archBeta1, archBeta2, trainImages, valImages,
                seed, threads, checkpointMinutes, keepCheckpoints, on, archOrder, unrolledLr);
    }

    /** The same settings with the architecture gradient's order (1 or 2) and ξ (null: the current weight learning rate). */
    public SearchConfig withArchOrder(int order, Double xi) {
        return new SearchConfig(dataset, data, resize, device, layers, blocks, filterMultiplier, crop, batch, epochs, archStartEpoch,
                itersPerEpoch, lr, lrMin, momentum, weightDecay, archLr, archWeightDecay, archBeta1, archBeta2, trainImages, valImages,
                seed, threads, checkpointMinutes, keepCheckpoints, recompute, order, xi);
    }

    /** ξ of the second-order step at weight learning rate {@code lr}: --unrolled-lr, or lr itself (as DARTS). */
    public double unrolledLr(double lr) { return unrolledLr != null ? unrolledLr : lr; }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** This config with {@code n} epochs (a resume that extends the run; the cosine schedule is stretched to the new end). */
    public SearchConfig withEpochs(int n) {
        return new SearchConfig(dataset, data, resize, device, layers, blocks, filterMultiplier, crop, batch, n, archStartEpoch, itersPerEpoch,
                lr, lrMin, momentum, weightDecay, archLr, archWeightDecay, archBeta1, archBeta2, trainImages, valImages, seed, threads,
                checkpointMinutes, keepCheckpoints, recompute, archOrder, unrolledLr);
    }

    /** Size of the A half (weights): ⌈n/2⌉. */
    public int sizeA() { return (trainImages + 1) / 2; }

    /** Size of the B half (architecture). */
    public int sizeB() { return trainImages - sizeA(); }

    /** Iterations per epoch: the flag, or one pass over A. */
    public int resolvedItersPerEpoch() { return itersPerEpoch > 0 ? itersPerEpoch : Math.max(1, sizeA() / batch); }

    public long totalIterations() { return (long) epochs * resolvedItersPerEpoch(); }
}
