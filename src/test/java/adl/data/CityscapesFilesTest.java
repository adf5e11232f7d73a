package adl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static adl.data.DatasetSamples.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cityscapes sample: 64x128 labelIds mapped to the 19 train ids, everything else 255. */
class CityscapesFilesTest {
    static final Path DIR = DatasetSamples.dir("cityscapes");

    @Test void labelIdsMapToTrainIdsAndOthersToIgnore() {
        FileDataset d = Datasets.open("cityscapes", DIR, "train", 1);
        assertEquals("cityscapes/train", d.name());
        assertEquals(2, d.size());
        assertEquals(19, d.numClasses());
        assertEquals("road", d.classes().get(0));
        Sample s = d.get(0);
        assertEquals("aachen_000000_000019", s.name());
        assertEquals(64, s.height());
        assertEquals(128, s.width());
        assertEquals(10, at(s, 60, 5));    // sky 23
        assertEquals(2, at(s, 60, 20));    // building 11
        assertEquals(0, at(s, 110, 40));   // road 7
        assertEquals(13, at(s, 50, 40));   // car 26
        assertEquals(18, at(s, 95, 45));   // bicycle 33
        assertEquals(255, at(s, 2, 30));   // unlabeled 0
        assertEquals(255, at(s, 60, 62));  // ego vehicle 1
        assertTrue(Arrays.stream(s.label()).allMatch(v -> v == 0 || v == 2 || v == 10 || v == 13 || v == 18 || v == 255));
        assertEquals(3 * 64 * 128, s.image().length);
    }

    @Test void labelTrainIdsArePreferredWhenPresentAndAgree() throws IOException {
        FileDataset d = Datasets.open("cityscapes", DIR, "train", 1);
        DatasetEntry withTrainIds = d.entries().get(1), plain = d.entries().get(0);
        assertTrue(withTrainIds.label().getFileName().toString().endsWith("_gtFine_labelTrainIds.png"), withTrainIds.label().toString());
        assertTrue(plain.label().getFileName().toString().endsWith("_gtFine_labelIds.png"), plain.label().toString());
        int[] raw = LabelFiles.read(withTrainIds.label().resolveSibling("aachen_000001_000019_gtFine_labelIds.png")).values();
        int[] mapped = Arrays.stream(raw).map(Palettes::cityscapesTrainId).toArray();
        assertArrayEquals(mapped, d.get(1).label());
    }

    @Test void halfResolutionResizesImageBilinearAndLabelNearest() {
        Sample full = Datasets.open("cityscapes", DIR, "val", 1).get(0);
        Sample half = Datasets.open("cityscapes", DIR, "val", 0.5).get(0);
        assertEquals(32, half.height());
        assertEquals(64, half.width());
        for (int y = 0; y < 32; y++) for (int x = 0; x < 64; x++) assertEquals(at(full, 2 * x, 2 * y), at(half, x, y));
        // factor 0.5, align_corners=False: each output pixel is the mean of its 2x2 source block
        int hw = 64 * 128, ohw = 32 * 64;
        for (int c = 0; c < 3; c++) for (int y = 0; y < 32; y += 7) for (int x = 0; x < 64; x += 5) {
            float[] f = full.image();
            double mean = (f[c * hw + 2 * y * 128 + 2 * x] + f[c * hw + 2 * y * 128 + 2 * x + 1]
                    + f[c * hw + (2 * y + 1) * 128 + 2 * x] + f[c * hw + (2 * y + 1) * 128 + 2 * x + 1]) / 4;
            assertEquals(mean, half.image()[c * ohw + y * 64 + x], 1e-5);
        }
    }

    @Test void missingFoldersSayWhichFolderIsExpected(@TempDir Path tmp) {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("cityscapes", tmp, "train", 1));
        assertTrue(e.getMessage().contains("expected folder " + tmp.resolve("leftImg8bit").resolve("train")), e.getMessage());
        assertEquals(Problem.Kind.LAYOUT, e.problems().get(0).kind());
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("cityscapes", DIR, "training", 1));
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("kitti", DIR, "train", 1));
    }
}
