package adl.data;

import java.util.List;

/**
 * A split of a dataset on disk (Cityscapes, VOC, ADE20K, folder): the pairs a reader found, decoded
 * lazily in {@link #get} — image via {@link ImageFiles}, label via {@link LabelFiles} mapped by the
 * entry's {@link LabelMap} — then resized by {@code resize} (1 = as stored).
 *
 * <p>The constructor does the cheap checks (datasets/README.md): pairing problems the reader found, empty
 * files, unreadable headers, image/label size mismatches — all collected into ONE
 * {@link DatasetException}. A file that fails to decode later throws a DatasetException naming it.
 *
 * <p>Immutable: {@code get} may run on several threads at once (each call decodes its own files).
 */
public final class FileDataset implements Dataset {
    private final DatasetLayout layout;
    private final double resize;
    private final Normalization norm;

    public FileDataset(DatasetLayout layout, double resize, Normalization norm) {
        if (!(resize > 0 && resize <= 4)) throw new IllegalArgumentException("resize factor must be in (0, 4], got " + resize);
        List<Problem> problems = new java.util.ArrayList<>(layout.problems());
        problems.addAll(ImageHeaders.check(layout.entries()));
        if (problems.isEmpty() && layout.entries().isEmpty()) {
            throw new DatasetException(layout.name() + ": no images in this split", List.of());
        }
        if (!problems.isEmpty()) throw DatasetException.of(layout.name(), problems);
        this.layout = layout;
        this.resize = resize;
        this.norm = norm;
    }

    @Override public String name() { return layout.name(); }
    @Override public int size() { return layout.entries().size(); }
    @Override public List<String> classes() { return layout.palette().names(); }
    @Override public int[][] palette() { return layout.palette().colors(); }

    public List<DatasetEntry> entries() { return layout.entries(); }

    public double resize() { return resize; }

    @Override
    public Sample get(int index) {
        if (index < 0 || index >= size()) throw new IndexOutOfBoundsException(name() + " has " + size() + " samples, asked for " + index);
        DatasetEntry e = layout.entries().get(index);
        PairDecoder.Decoded d = PairDecoder.decode(e);
        if (!d.problems().isEmpty()) throw DatasetException.of(name() + " sample " + index + " (" + e.name() + ")", d.problems());
        int h = d.height(), w = d.width();
        float[] image = ImageFiles.toChw(d.image(), norm);
        int[] label = d.classIds();
        if (resize != 1) {
            int oh = Resize.size(h, resize), ow = Resize.size(w, resize);
            image = Resize.bilinear(image, 3, h, w, oh, ow);
            label = Resize.nearest(label, h, w, oh, ow);
            h = oh;
            w = ow;
        }
        return new Sample(e.name(), image, label, h, w);
    }
}
