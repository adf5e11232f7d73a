package adl.data;

/**
 * One image and its label map. image: [3, H, W] channel-major floats, normalised (mean 0, about
 * unit variance per channel); label: [H, W] class indices, {@link #IGNORE} = not scored.
 */
public record Sample(String name, float[] image, int[] label, int height, int width) {
    public static final int IGNORE = 255;

    public Sample {
        if (image.length != 3 * height * width) {
            throw new IllegalArgumentException(name + ": image has " + image.length + " values, expected 3x" + height + "x" + width);
        }
        if (label.length != height * width) {
            throw new IllegalArgumentException(name + ": label has " + label.length + " values, expected " + height + "x" + width);
        }
    }
}
