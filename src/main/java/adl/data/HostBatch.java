package adl.data;

/**
 * A mini-batch in host memory, ready to upload: images [size, 3, height, width] channel-major
 * floats, labels [size, height, width] class indices ({@link Sample#IGNORE} = not scored).
 * {@link Batch#of(HostBatch, adl.backend.Device)} turns it into device tensors.
 *
 * @param iteration the key the batch was made for
 */
public record HostBatch(long iteration, int size, int height, int width, float[] images, int[] labels) {

    public HostBatch {
        if (size < 1 || images.length != size * 3 * height * width || labels.length != size * height * width) {
            throw new IllegalArgumentException("host batch " + iteration + ": " + images.length + " image and " + labels.length
                    + " label values for " + size + "x3x" + height + "x" + width);
        }
    }

    /** Stacks samples of one size in slot order; {@code source} names the dataset in errors. */
    public static HostBatch stack(String source, long iteration, Sample[] samples) {
        if (samples.length == 0) throw new IllegalArgumentException(source + ": batch " + iteration + " has no samples");
        int h = samples[0].height(), w = samples[0].width(), n = samples.length, plane = 3 * h * w;
        float[] img = new float[n * plane];
        int[] lab = new int[n * h * w];
        for (int b = 0; b < n; b++) {
            Sample s = samples[b];
            if (s.height() != h || s.width() != w) {
                throw new IllegalArgumentException(source + ": sample " + s.name() + " is " + s.height() + "x" + s.width()
                        + ", batch " + iteration + " is " + h + "x" + w);
            }
            System.arraycopy(s.image(), 0, img, b * plane, plane);
            System.arraycopy(s.label(), 0, lab, b * h * w, h * w);
        }
        return new HostBatch(iteration, n, h, w, img, lab);
    }
}
