package adl.data;

import java.util.SplittableRandom;

/**
 * Training augmentation (datasets/README.md, "From files to batches"; DeepLab's input preprocessing): random scale, random crop
 * padded with the ignore label, random horizontal flip. Every random number of a sample comes
 * from (seed, iteration, slot) alone — slot = its position in the batch — so a resumed run
 * draws the same crops as an uninterrupted one, whatever thread computes them.
 *
 * <p>Scale s is uniform in [minScale, maxScale]; the image is resized bilinearly
 * (align_corners = false, as torch's interpolate) to round(H·s) × round(W·s), the label by
 * nearest neighbour (labels are class ids, never blended). Where the scaled image is smaller
 * than the crop it is padded: image with 0 (the normalised mean), label with {@link Sample#IGNORE}.
 */
public final class Augment {
    private final int crop;
    private final double minScale, maxScale;
    private final boolean flip;

    /**
     * @param crop     output height and width
     * @param minScale smallest scale factor (DeepLab: 0.5)
     * @param maxScale largest scale factor (DeepLab: 2.0)
     * @param flip     whether to mirror half the samples left-right
     */
    public Augment(int crop, double minScale, double maxScale, boolean flip) {
        if (crop < 1 || minScale <= 0 || maxScale < minScale) {
            throw new IllegalArgumentException("augmentation crop " + crop + ", scales [" + minScale + ", " + maxScale + "] (needs crop >= 1, 0 < min <= max)");
        }
        this.crop = crop;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.flip = flip;
    }

    /** DeepLab's training defaults: scale in [0.5, 2.0], flip. */
    public static Augment deeplab(int crop) { return new Augment(crop, 0.5, 2.0, true); }

    public int crop() { return crop; }

    /** The augmented crop of {@code s} for batch position {@code slot} of training iteration {@code iteration}: [3, crop, crop]. */
    public Sample apply(Sample s, long seed, long iteration, int slot) {
        SplittableRandom r = new SplittableRandom(SyntheticDataset.mix(seed ^ 0xA06_0000L, iteration, slot));
        double scale = minScale + (maxScale - minScale) * r.nextDouble();
        int h = Math.max(1, (int) Math.round(s.height() * scale)), w = Math.max(1, (int) Math.round(s.width() * scale));
        int y0 = h > crop ? r.nextInt(h - crop + 1) : 0, x0 = w > crop ? r.nextInt(w - crop + 1) : 0;
        boolean mirror = flip && r.nextBoolean();
        float[] image = new float[3 * crop * crop];
        int[] label = new int[crop * crop];
        java.util.Arrays.fill(label, Sample.IGNORE);
        int rows = Math.min(crop, h), cols = Math.min(crop, w);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int ox = mirror ? cols - 1 - x : x;
                int sy = y + y0, sx = x + x0;
                label[y * crop + ox] = s.label()[nearest(sy, h, s.height()) * s.width() + nearest(sx, w, s.width())];
                for (int c = 0; c < 3; c++) image[(c * crop + y) * crop + ox] = bilinear(s, c, sy, sx, h, w);
            }
        }
        return new Sample(s.name(), image, label, crop, crop);
    }

    /** Source index of output index i when n source pixels are scaled to m (torch 'nearest': floor(i·n/m)). */
    static int nearest(int i, int m, int n) { return Math.min(n - 1, (int) Math.floor(i * ((double) n / m))); }

    /** Bilinear value of channel c at output (y, x) of an H×W → h×w resize, align_corners = false. */
    private static float bilinear(Sample s, int c, int y, int x, int h, int w) {
        int sh = s.height(), sw = s.width();
        double fy = Math.max(0, (y + 0.5) * sh / h - 0.5), fx = Math.max(0, (x + 0.5) * sw / w - 0.5);
        int y1 = Math.min((int) fy, sh - 1), x1 = Math.min((int) fx, sw - 1);
        int y2 = Math.min(y1 + 1, sh - 1), x2 = Math.min(x1 + 1, sw - 1);
        double ly = fy - y1, lx = fx - x1;
        float[] im = s.image();
        int base = c * sh * sw;
        double top = im[base + y1 * sw + x1] * (1 - lx) + im[base + y1 * sw + x2] * lx;
        double bottom = im[base + y2 * sw + x1] * (1 - lx) + im[base + y2 * sw + x2] * lx;
        return (float) (top * (1 - ly) + bottom * ly);
    }
}
