package adl.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentTest {
    /** A 6×5 sample whose pixel (y, x) has value 10y + x in every channel and label (y·5 + x) % 7. */
    static Sample ramp(int h, int w) {
        float[] img = new float[3 * h * w];
        int[] lab = new int[h * w];
        for (int c = 0; c < 3; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img[(c * h + y) * w + x] = 10 * y + x + c * 100;
        for (int i = 0; i < h * w; i++) lab[i] = i % 7;
        return new Sample("ramp", img, lab, h, w);
    }

    @Test void theSameSeedIterationAndSlotGiveTheSameCropOthersDiffer() {
        Sample s = new SyntheticDataset("train", 1, 40, 40, 3).get(0);
        Augment a = Augment.deeplab(24);
        Sample x = a.apply(s, 7, 11, 1), y = a.apply(s, 7, 11, 1);
        assertArrayEquals(x.image(), y.image());
        assertArrayEquals(x.label(), y.label());
        assertFalse(java.util.Arrays.equals(x.image(), a.apply(s, 7, 12, 1).image()), "another iteration draws another crop");
        assertFalse(java.util.Arrays.equals(x.image(), a.apply(s, 7, 11, 0).image()), "another slot draws another crop");
        assertEquals(24, x.height());
        assertEquals(24, x.width());
    }

    @Test void scaleOneWithoutFlipIsAPlainCropOfTheSource() {
        Sample s = ramp(9, 8);
        Augment a = new Augment(5, 1.0, 1.0, false);
        for (int it = 0; it < 20; it++) {
            Sample c = a.apply(s, 1, it, 0);
            // find the offset from the top-left pixel: value 10·y0 + x0
            int v = (int) c.image()[0], y0 = v / 10, x0 = v % 10;
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(10 * (y + y0) + (x + x0), c.image()[y * 5 + x], 0);
                    assertEquals(200 + 10 * (y + y0) + (x + x0), c.image()[(2 * 5 + y) * 5 + x], 0);
                    assertEquals(((y + y0) * 8 + x + x0) % 7, c.label()[y * 5 + x]);
                }
            }
        }
    }

    @Test void aCropLargerThanTheScaledImageIsPaddedWithZeroAndTheIgnoreLabel() {
        Sample s = ramp(6, 5);
        Sample c = new Augment(10, 1.0, 1.0, false).apply(s, 0, 0, 0);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 10; x++) {
                boolean inside = y < 6 && x < 5;
                assertEquals(inside ? (y * 5 + x) % 7 : Sample.IGNORE, c.label()[y * 10 + x]);
                if (!inside) assertEquals(0f, c.image()[y * 10 + x]);
            }
        }
    }

    @Test void flipMirrorsImageAndLabelTogether() {
        Sample s = ramp(4, 4);
        Augment a = new Augment(4, 1.0, 1.0, true);
        boolean sawFlip = false, sawPlain = false;
        for (int it = 0; it < 16; it++) {
            Sample c = a.apply(s, 5, it, 0);
            boolean flipped = c.image()[0] == 3; // top-left holds source x = 3
            sawFlip |= flipped;
            sawPlain |= c.image()[0] == 0;
            for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) {
                int sx = flipped ? 3 - x : x;
                assertEquals(10 * y + sx, c.image()[y * 4 + x], 0);
                assertEquals((y * 4 + sx) % 7, c.label()[y * 4 + x]);
            }
        }
        assertTrue(sawFlip && sawPlain, "both outcomes occur in 16 draws");
    }

    @Test void scaledLabelsAreNeverBlendedAndScalesCoverTheRange() {
        Sample s = ramp(20, 20);
        Set<Integer> sources = new HashSet<>();
        for (int v : s.label()) sources.add(v);
        Augment a = Augment.deeplab(16);
        int padded = 0, full = 0;
        for (int it = 0; it < 40; it++) {
            Sample c = a.apply(s, 9, it, 0);
            boolean anyIgnore = false;
            for (int v : c.label()) {
                if (v == Sample.IGNORE) anyIgnore = true;
                else assertTrue(sources.contains(v));
            }
            if (anyIgnore) padded++; else full++;
        }
        assertTrue(padded > 0, "scales below 0.8 shrink a 20-pixel image under the 16-pixel crop");
        assertTrue(full > 0, "scales above 0.8 fill the crop");
    }

    @Test void nearestFollowsTorch() {
        // torch nearest: src = floor(dst * in / out)
        assertEquals(0, Augment.nearest(0, 10, 5));
        assertEquals(0, Augment.nearest(1, 10, 5));
        assertEquals(4, Augment.nearest(9, 10, 5));
        assertEquals(2, Augment.nearest(1, 3, 6));
    }
}
