package adl.data;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * A mini-batch on a device: images [N, 3, H, W] (F32) and labels [N, H, W] (I32, 255 = ignore).
 * Made from samples of one size; a sample may be mirrored left-right, decided by
 * (seed, epoch, sample index) alone, so any batch can be rebuilt exactly on resume.
 */
public record Batch(Tensor images, Tensor labels) {

    /** Stacks samples of one size, as they are (no flip): images [N, 3, H, W], labels [N, H, W]. */
    public static Batch of(java.util.List<Sample> samples, Device device) {
        if (samples.isEmpty()) throw new IllegalArgumentException("a batch needs at least one sample");
        int h = samples.get(0).height(), w = samples.get(0).width(), n = samples.size(), plane = 3 * h * w;
        double[] img = new double[n * plane];
        int[] lab = new int[n * h * w];
        for (int b = 0; b < n; b++) {
            Sample s = samples.get(b);
            if (s.height() != h || s.width() != w) {
                throw new IllegalArgumentException("sample " + s.name() + " is " + s.height() + "x" + s.width() + ", the batch is " + h + "x" + w);
            }
            for (int i = 0; i < plane; i++) img[b * plane + i] = s.image()[i];
            System.arraycopy(s.label(), 0, lab, b * h * w, h * w);
        }
        return new Batch(Tensors.of(device, DType.F32, Shape.of(n, 3, h, w), img), Tensors.ofInts(device, Shape.of(n, h, w), lab));
    }

    /** The host batch on {@code device}: images [N, 3, H, W] F32, labels [N, H, W] I32 (values as they are). */
    public static Batch of(HostBatch host, Device device) {
        float[] f = host.images();
        double[] img = new double[f.length];
        for (int i = 0; i < f.length; i++) img[i] = f[i];
        return new Batch(Tensors.of(device, DType.F32, Shape.of(host.size(), 3, host.height(), host.width()), img),
                Tensors.ofInts(device, Shape.of(host.size(), host.height(), host.width()), host.labels()));
    }

    /**
     * @param flip whether to apply the random horizontal flip (training) or not (validation)
     */
    public static Batch of(Dataset data, int[] indices, Device device, long seed, int epoch, boolean flip) {
        if (indices.length == 0) throw new IllegalArgumentException("a batch needs at least one sample");
        Sample first = data.get(indices[0]);
        int h = first.height(), w = first.width(), n = indices.length;
        double[] img = new double[n * 3 * h * w];
        int[] lab = new int[n * h * w];
        for (int b = 0; b < n; b++) {
            Sample s = b == 0 ? first : data.get(indices[b]);
            if (s.height() != h || s.width() != w) {
                throw new IllegalArgumentException(data.name() + ": sample " + s.name() + " is " + s.height() + "x" + s.width()
                        + ", the batch is " + h + "x" + w);
            }
            boolean mirror = flip && (SyntheticDataset.mix(seed, epoch, indices[b]) & 1) == 1;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int sx = mirror ? w - 1 - x : x;
                        img[((b * 3 + c) * h + y) * w + x] = s.image()[(c * h + y) * w + sx];
                    }
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) lab[(b * h + y) * w + x] = s.label()[y * w + (mirror ? w - 1 - x : x)];
            }
        }
        return new Batch(Tensors.of(device, DType.F32, Shape.of(n, 3, h, w), img), Tensors.ofInts(device, Shape.of(n, h, w), lab));
    }
}
