package adl.train.eval;

import adl.data.Sample;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Predicted masks as PNG images (docs/10-run-directory.md §1). Label maps are [H, W] row-major class ids; a
 * palette is {@code int[C][3]} RGB (0..255), as {@code Dataset.palette()} / {@code Palette.colors()}.
 * The ignore label {@link Sample#IGNORE} is drawn {@link #IGNORE_RGB} (black) in colour masks
 * and leaves the photograph unchanged in overlays.
 */
public final class MaskImages {
    /** Colour of ignored (255) pixels in colour masks: black, as Cityscapes' void classes. */
    public static final int IGNORE_RGB = 0x000000;
    /** Default mask opacity of {@link #overlay}. */
    public static final double DEFAULT_ALPHA = 0.5;

    private MaskImages() {}

    /** labels [H, W] → an RGB image, pixel = palette[label] (IGNORE → IGNORE_RGB). */
    public static BufferedImage colorize(int[] labels, int height, int width, int[][] palette) {
        checkSize(labels, height, width);
        int[] lut = lut(palette);
        int[] rgb = new int[labels.length];
        for (int i = 0; i < labels.length; i++) rgb[i] = colour(lut, labels[i], i, width);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }

    /**
     * The mask alpha-blended over {@code image} (same size): per channel
     * {@code round((1 − alpha)·image + alpha·palette[label])}; IGNORE pixels keep the image's colour.
     *
     * @param alpha mask opacity in [0, 1]
     */
    public static BufferedImage overlay(BufferedImage image, int[] labels, int[][] palette, double alpha) {
        int height = image.getHeight(), width = image.getWidth();
        checkSize(labels, height, width);
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("overlay alpha " + alpha + " outside [0, 1]");
        int[] lut = lut(palette);
        int[] px = image.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < px.length; i++) {
            if (labels[i] == Sample.IGNORE) {
                px[i] &= 0xFFFFFF;
                continue;
            }
            int m = colour(lut, labels[i], i, width), p = px[i], out = 0;
            for (int shift = 16; shift >= 0; shift -= 8) {
                double v = (1 - alpha) * ((p >> shift) & 255) + alpha * ((m >> shift) & 255);
                out |= (int) Math.round(v) << shift;
            }
            px[i] = out;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, px, 0, width);
        return img;
    }

    /** labels [H, W] → an 8-bit grey image whose values are the class ids (the folder dataset's label format). */
    public static BufferedImage labelImage(int[] labels, int height, int width) {
        checkSize(labels, height, width);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l < 0 || l > 255) throw new IllegalArgumentException("label " + l + " at (" + i / width + ", " + i % width + ") does not fit 8 bits");
            img.getRaster().setSample(i % width, i / width, 0, l);
        }
        return img;
    }

    /**
     * Writes {@code img} as PNG atomically (a temporary file in the same folder, then a rename),
     * creating missing folders; an existing file is replaced.
     */
    public static void writePng(Path png, BufferedImage img) throws IOException { adl.train.plot.Png.write(png, img); }

    private static int[] lut(int[][] palette) {
        int[] lut = new int[palette.length];
        for (int c = 0; c < palette.length; c++) lut[c] = (palette[c][0] << 16) | (palette[c][1] << 8) | palette[c][2];
        return lut;
    }

    private static int colour(int[] lut, int label, int i, int width) {
        if (label == Sample.IGNORE) return IGNORE_RGB;
        if (label < 0 || label >= lut.length) {
            throw new IllegalArgumentException("label " + label + " at (" + i / width + ", " + i % width + ") outside the palette's " + lut.length + " classes");
        }
        return lut[label];
    }

    private static void checkSize(int[] labels, int height, int width) {
        if (labels.length != height * width) {
            throw new IllegalArgumentException("label map has " + labels.length + " values, the image is " + height + "x" + width);
        }
    }
}
