package adl.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CenterCroppedTest {
    @Test void cropsTheMiddleOfALargeImage() {
        Sample s = AugmentTest.ramp(9, 8); // value 10y + x, label (8y + x) % 7
        Sample c = new CenterCropped(new Fixed(s), 4).get(0);
        // y0 = (9 - 4) / 2 = 2, x0 = (8 - 4) / 2 = 2
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) {
            assertEquals(10 * (y + 2) + x + 2, c.image()[y * 4 + x], 0);
            assertEquals(100 + 10 * (y + 2) + x + 2, c.image()[(4 + y) * 4 + x], 0);
            assertEquals(((y + 2) * 8 + x + 2) % 7, c.label()[y * 4 + x]);
        }
    }

    @Test void padsASmallImageWithZeroAndIgnoreAroundTheMiddle() {
        Sample s = AugmentTest.ramp(2, 3);
        Sample c = new CenterCropped(new Fixed(s), 6).get(0);
        // y0 = (2 - 6) / 2 = -2, x0 = (3 - 6) / 2 = -1: the source occupies rows 2..3, columns 1..3
        for (int y = 0; y < 6; y++) for (int x = 0; x < 6; x++) {
            boolean inside = y >= 2 && y < 4 && x >= 1 && x < 4;
            assertEquals(inside ? ((y - 2) * 3 + x - 1) % 7 : Sample.IGNORE, c.label()[y * 6 + x]);
            assertEquals(inside ? 10 * (y - 2) + x - 1 : 0f, c.image()[y * 6 + x], 0);
        }
    }

    /** One sample. */
    record Fixed(Sample s) implements Dataset {
        @Override public String name() { return "fixed"; }
        @Override public int size() { return 1; }
        @Override public Sample get(int index) { return s; }
        @Override public java.util.List<String> classes() { return java.util.List.of("a", "b", "c", "d", "e", "f", "g"); }
        @Override public int[][] palette() { return Palettes.distinct(7); }
    }
}
