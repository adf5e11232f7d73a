package adl.data;

/**
 * How an 8-bit RGB pixel becomes the network's input value (datasets/README.md, "From files to batches"; {@link Sample}'s image):
 * {@code x_c = (v_c / 255 − mean[c]) / std[c]} per channel c ∈ {R, G, B}. Predict and eval must
 * use the normalisation of the data the network was trained on.
 */
public record Normalization(double[] mean, double[] std) {
    /** {@link SyntheticDataset}: (v − 0.5) / 0.25 for v in [0, 1] (its {@code get}). */
    public static final Normalization SYNTHETIC = new Normalization(new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25});
    /** ImageNet statistics (torchvision's convention), for real photographs. */
    public static final Normalization IMAGENET = new Normalization(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});

    public Normalization {
        if (mean.length != 3 || std.length != 3) throw new IllegalArgumentException("normalisation needs 3 means and 3 stds");
        for (double s : std) if (!(s > 0)) throw new IllegalArgumentException("normalisation std must be > 0, got " + s);
        mean = mean.clone();
        std = std.clone();
    }

    @Override public double[] mean() { return mean.clone(); }
    @Override public double[] std() { return std.clone(); }

    /** 8-bit value v (0..255) of channel c → network input. */
    public float apply(int c, int v) { return (float) ((v / 255.0 - mean[c]) / std[c]); }

    /** Network input x of channel c → 8-bit value, rounded and clamped to 0..255. */
    public int invert(int c, float x) {
        long v = Math.round((x * std[c] + mean[c]) * 255.0);
        return (int) Math.max(0, Math.min(255, v));
    }
}
