package adl.data;

import java.util.Arrays;
import java.util.List;

/**
 * A dataset seen through a centre crop of fixed size (docs/03-bilevel.md §5: the search validates on centre
 * crops at the training crop size): sample i is the crop×crop middle of the wrapped sample i;
 * where the image is smaller than the crop it is padded — image with 0 (the normalised mean),
 * label with {@link Sample#IGNORE}. Lets images of any size form one batch.
 */
public final class CenterCropped implements Dataset {
    private final Dataset inner;
    private final int crop;

    public CenterCropped(Dataset inner, int crop) {
        if (crop < 1) throw new IllegalArgumentException("centre crop " + crop + " must be >= 1");
        this.inner = inner;
        this.crop = crop;
    }

    @Override public String name() { return inner.name() + " (centre " + crop + "x" + crop + ")"; }
    @Override public int size() { return inner.size(); }
    @Override public List<String> classes() { return inner.classes(); }
    @Override public int[][] palette() { return inner.palette(); }

    /** image [3, crop, crop], label [crop, crop]. */
    @Override
    public Sample get(int index) {
        Sample s = inner.get(index);
        int h = s.height(), w = s.width();
        int y0 = (h - crop) / 2, x0 = (w - crop) / 2; // negative: the source sits inside the padded crop
        float[] image = new float[3 * crop * crop];
        int[] label = new int[crop * crop];
        Arrays.fill(label, Sample.IGNORE);
        for (int y = 0; y < crop; y++) {
            int sy = y + y0;
            if (sy < 0 || sy >= h) continue;
            for (int x = 0; x < crop; x++) {
                int sx = x + x0;
                if (sx < 0 || sx >= w) continue;
                label[y * crop + x] = s.label()[sy * w + sx];
                for (int c = 0; c < 3; c++) image[(c * crop + y) * crop + x] = s.image()[(c * h + sy) * w + sx];
            }
        }
        return new Sample(s.name(), image, label, crop, crop);
    }
}
