package adl.train.eval;

import adl.data.Palette;
import adl.data.Sample;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LegendTest {
    static final Palette PALETTE = new Palette(List.of("background", "disk", "box"), new int[][] {{0, 0, 0}, {200, 10, 10}, {10, 200, 10}});

    @Test void listsThePresentClassesLargestFirst() {
        int[] labels = {2, 2, 2, 0, Sample.IGNORE, 2, 0, 2};
        List<long[]> rows = Legend.present(labels, 3);
        assertEquals(2, rows.size(), "class 1 is absent, the ignore label is left out");
        assertArrayEquals(new long[] {2, 5}, rows.get(0));
        assertArrayEquals(new long[] {0, 2}, rows.get(1));
    }

    @Test void stripIsBesideAnUnchangedImageWithOneSwatchPerClass() {
        int w = 40, h = 30;
        int[] labels = new int[w * h];
        for (int i = 0; i < labels.length; i++) labels[i] = i % w < 10 ? 1 : 2;
        BufferedImage mask = MaskImages.colorize(labels, h, w, PALETTE.colors());
        BufferedImage out = Legend.besides(mask, labels, PALETTE);
        assertTrue(out.getWidth() > w + Legend.SWATCH, "a strip to the right");
        assertTrue(out.getHeight() >= Legend.PAD * 2 + Legend.ROW * 3, "room for the title and two classes");
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) assertEquals(mask.getRGB(x, y), out.getRGB(x, y));
        // first row: box (30 of 40 columns), second: disk; swatch centres carry the class colour
        int sx = w + Legend.PAD + Legend.SWATCH / 2;
        assertEquals(PALETTE.rgb(2), out.getRGB(sx, Legend.PAD + Legend.ROW + 2 + Legend.SWATCH / 2) & 0xFFFFFF);
        assertEquals(PALETTE.rgb(1), out.getRGB(sx, Legend.PAD + 2 * Legend.ROW + 2 + Legend.SWATCH / 2) & 0xFFFFFF);
    }
}
