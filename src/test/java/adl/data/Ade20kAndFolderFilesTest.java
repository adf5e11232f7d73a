package adl.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static adl.data.DatasetSamples.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ADE20K sample (0 → ignore, 1..150 → 0..149) and the folder sample (classes.json, PNG and JPEG images). */
class Ade20kAndFolderFilesTest {
    @Test void ade20kShiftsLabelsAndIgnoresZero() {
        Path dir = DatasetSamples.dir("ade20k");
        FileDataset d = Datasets.open("ade20k", dir, "train", 1);
        assertEquals("ade20k/train", d.name());
        assertEquals(2, d.size());
        assertEquals(150, d.numClasses());
        Sample s = d.get(0);
        assertEquals(255, at(s, 5, 5));     // 0 = other
        assertEquals(0, at(s, 40, 50));     // 1 = wall
        assertEquals(149, at(s, 35, 15));   // 150 = flag
        assertEquals(12, at(s, 55, 35));    // 13 = person
        assertEquals("wall", d.classes().get(0));
        assertEquals(88, d.get(1).width());
        assertEquals(1, Datasets.open("ade", dir.resolve("ADEChallengeData2016"), "validation", 1).size());
        assertEquals(1, Datasets.open("ade20k", dir, "val", 1).size());
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("ade20k", dir, "test", 1));
    }

    @Test void folderReadsClassesJsonAndPngOrJpegImages() {
        Path dir = DatasetSamples.dir("folder");
        assertEquals(List.of("train", "val"), Datasets.splits("folder", dir));
        FileDataset d = Datasets.open("folder", dir, "train", 1);
        assertEquals(List.of("background", "road", "car", "tree"), d.classes());
        assertEquals(List.of("street_a.png", "street_b.jpg"), d.entries().stream().map(e -> e.image().getFileName().toString()).toList());
        assertEquals(128, d.palette()[1][0]);
        for (int i = 0; i < 2; i++) {
            Sample s = d.get(i);
            assertEquals(32, s.height());
            assertEquals(48, s.width());
            assertEquals(255, at(s, 5, 0));
            assertEquals(0, at(s, 5, 5));
            assertEquals(1, at(s, 5, 20));
            assertEquals(2, at(s, 15, 25));
            assertEquals(3, at(s, 35, 10));
        }
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("folder", dir, "test", 1));
        assertTrue(e.getMessage().contains("splits present: train, val"), e.getMessage());
    }
}
