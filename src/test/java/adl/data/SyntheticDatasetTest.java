package adl.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticDatasetTest {
    @Test void sameIndexSameSampleDifferentSplitDifferentSample() {
        SyntheticDataset a = new SyntheticDataset("train", 10, 48, 40, 1);
        SyntheticDataset b = new SyntheticDataset("train", 10, 48, 40, 1);
        SyntheticDataset v = new SyntheticDataset("val", 10, 48, 40, 1);
        assertArrayEquals(a.get(3).image(), b.get(3).image());
        assertArrayEquals(a.get(3).label(), b.get(3).label());
        assertFalse(java.util.Arrays.equals(a.get(3).image(), v.get(3).image()));
        assertFalse(java.util.Arrays.equals(a.get(3).image(), a.get(4).image()));
    }

    @Test void everyClassOccursAtSeveralScalesAndLabelsAreInRange() {
        SyntheticDataset d = new SyntheticDataset("train", 40, 64, 64, 7);
        long[] pixels = new long[6];
        int smallObjects = 0, bigObjects = 0;
        for (int i = 0; i < d.size(); i++) {
            Sample s = d.get(i);
            int[] perImage = new int[6];
            for (int l : s.label()) {
                assertTrue(l >= 0 && l < 6, "label " + l);
                pixels[l]++;
                perImage[l]++;
            }
            for (int c = 1; c < 6; c++) {
                if (perImage[c] > 0 && perImage[c] < 30) smallObjects++;
                if (perImage[c] > 300) bigObjects++;
            }
        }
        for (int c = 0; c < 6; c++) assertTrue(pixels[c] > 0, "class " + d.classes().get(c) + " never occurs");
        assertTrue(smallObjects > 5 && bigObjects > 5, "small " + smallObjects + ", big " + bigObjects);
    }

    @Test void imagesAreRoughlyNormalised() {
        Sample s = new SyntheticDataset("train", 1, 64, 64, 3).get(0);
        double sum = 0, sq = 0;
        for (float v : s.image()) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / s.image().length, var = sq / s.image().length - mean * mean;
        assertEquals(0, mean, 0.6);
        assertTrue(var > 0.05 && var < 4, "variance " + var);
    }
}
