package adl.train;

import adl.nas.retrain.FixedNetwork;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Every setting of a retrain run (paper §5.2; docs/06-retrain.md §5), resolved and immutable.
 * Saved as config.json in the run directory (with the network's architecture.json beside it),
 * read back by {@code --resume}, {@code eval} and {@code predict}.
 *
 * @param arch            what {@code --arch} named (preset, file or search run directory), for the record
 * @param filterMultiplier F of the retrained network: C = F·2^level filters per block
 * @param widths          widths of the stem, ASPP and decoder (the paper's: 64, 128, 256, 48, 256)
 * @param classes         number of classes (from the dataset)
 * @param resize          scale applied to every image and label of a real dataset as it is read
 * @param imageSize       side of the synthetic training images (crops are cut from them; validation images are crop-sized)
 * @param iters           training iterations (the poly schedule runs over them)
 * @param dropPath        final drop-path probability of the deepest cell (0 = off)
 * @param minScale        smallest random scale of the augmentation
 * @param maxScale        largest random scale of the augmentation
 * @param trainImages     training images (synthetic data only)
 * @param valImages       validation images scored at every evaluation
 * @param evalEvery       validation, plots and a checkpoint every this many iterations (and at the end)
 */
public record RetrainConfig(
        @JsonProperty("arch") String arch,
        @JsonProperty("filter_multiplier") int filterMultiplier,
        @JsonProperty("widths") FixedNetwork.Widths widths,
        @JsonProperty("classes") int classes,
        @JsonProperty("dataset") String dataset,
        @JsonProperty("data") String data,
        @JsonProperty("resize") double resize,
        @JsonProperty("device") String device,
        @JsonProperty("crop") int crop,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("batch") int batch,
        @JsonProperty("iters") int iters,
        @JsonProperty("lr") double lr,
        @JsonProperty("momentum") double momentum,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("drop_path") double dropPath,
        @JsonProperty("min_scale") double minScale,
        @JsonProperty("max_scale") double maxScale,
        @JsonProperty("train_images") int trainImages,
        @JsonProperty("val_images") int valImages,
        @JsonProperty("eval_every") int evalEvery,
        @JsonProperty("seed") long seed,
        @JsonProperty("threads") int threads,
        @JsonProperty("checkpoint_minutes") double checkpointMinutes,
        @JsonProperty("keep_checkpoints") int keepCheckpoints) {

    public RetrainConfig {
        require(filterMultiplier >= 1, "--filter-multiplier must be >= 1");
        require(resize > 0 && resize <= 4, "--resize must be in (0, 4] (0.5 = half resolution)");
        require(widths != null, "widths missing");
        require(classes >= 2, "need at least 2 classes");
        require(crop >= 16, "--crop must be >= 16");
        require(imageSize >= 16, "--image-size must be >= 16");
        require(batch >= 2, "--batch must be >= 2 (batch norm in the image-pooling branch needs two values per channel)");
        require(iters >= 1, "--iters must be >= 1");
        require(lr > 0, "--lr must be > 0");
        require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1)");
        require(weightDecay >= 0, "--weight-decay must be >= 0");
        require(dropPath >= 0 && dropPath < 1, "--drop-path must be in [0, 1) (a drop probability; 0 = off)");
        require(minScale > 0 && maxScale >= minScale, "need 0 < --min-scale <= --max-scale");
        require(trainImages >= batch, "need at least --batch training images");
        require(valImages >= 1, "--val-images must be >= 1");
        require(evalEvery >= 1, "--eval-every must be >= 1");
        require(threads >= 1, "--threads must be >= 1");
        require(checkpointMinutes > 0, "--checkpoint-minutes must be > 0");
        require(keepCheckpoints >= 1, "--keep-checkpoints must be >= 1");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The network this run trains: the architecture at F and these widths, BN eps 1e-3, dropout keep 0.9, drop-path keep 1 − dropPath. */
    public FixedNetwork.Config network(adl.nas.Architecture architecture) {
        return new FixedNetwork.Config(architecture, filterMultiplier, classes).withWidths(widths).withDropPathKeep(1 - dropPath);
    }

    /** This config with {@code n} iterations (a resume that extends the run; the poly schedule is stretched to the new end). */
    public RetrainConfig withIters(int n) {
        return new RetrainConfig(arch, filterMultiplier, widths, classes, dataset, data, resize, device, crop, imageSize, batch, n, lr, momentum,
                weightDecay, dropPath, minScale, maxScale, trainImages, valImages, evalEvery, seed, threads, checkpointMinutes, keepCheckpoints);
    }

    /** Number of evaluations in the run: one every evalEvery iterations, and one at the end. */
    public int evaluations() { return (iters + evalEvery - 1) / evalEvery; }
}
