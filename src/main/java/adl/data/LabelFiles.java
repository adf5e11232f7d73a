package adl.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reading label maps: the stored integer of each pixel, never its colour. A palette PNG gives its
 * palette indices (VOC's SegmentationClass: index 15 = person, drawn pink), a single-channel PNG
 * its grey values (Cityscapes, ADE20K, SegmentationClassAug, folder labels). Anything with
 * several channels (an RGB "coloured" label) is an error naming the file.
 */
public final class LabelFiles {
    private LabelFiles() {}

    /** values: [H, W] row-major raw label values. */
    public record RawLabel(int[] values, int height, int width) {}

    public static RawLabel read(Path file) throws IOException {
        return fromImage(file, ImageFiles.read(file));
    }

    /** The raw values of an already decoded label image. */
    public static RawLabel fromImage(Path file, BufferedImage img) throws IOException {
        Raster r = img.getRaster();
        boolean indexed = img.getColorModel() instanceof IndexColorModel;
        if (r.getNumBands() != 1 || (!indexed && img.getColorModel().getNumColorComponents() != 1)) {
            throw new IOException(file + ": label must be a single-channel PNG of class ids or a palette PNG, got "
                    + r.getNumBands() + " channels (an RGB colour mask is not a label map)");
        }
        int h = img.getHeight(), w = img.getWidth();
        int[] v = r.getSamples(r.getMinX(), r.getMinY(), w, h, 0, new int[h * w]);
        return new RawLabel(v, h, w);
    }
}
