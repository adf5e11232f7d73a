package adl.cli;

import adl.data.DatasetSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code adl datasets check}: exit 0 clean, 1 with problems (each naming its file), 2 bad usage. */
class DatasetsCommandTest {
    @Test void cleanSampleExitsZeroWithCountsHistogramAndProgress() {
        MainTest.Result r = MainTest.run("datasets", "check", "--dataset", "folder", "--data", DatasetSamples.dir("folder").toString(), "--every", "1");
        assertEquals(0, r.code(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals("datasets check: pairs=3 problems=0", out.get(out.size() - 1));
        assertTrue(r.out().contains("split train      pairs=2 pixels=3072 problems=0"), r.out());
        assertTrue(out.stream().anyMatch(l -> l.matches("\\s+1 road\\s+2004\\s+43\\.49%")), r.out());
        assertTrue(out.stream().anyMatch(l -> l.matches("\\s+255 \\(ignore\\)\\s+144\\s+3\\.13%")), r.out());
        assertEquals(List.of("check train: 1/2", "check train: 2/2", "check val: 1/1"), r.err().lines().toList());
    }

    @Test void everySampleFormatIsClean() {
        for (String name : List.of("cityscapes", "voc", "ade20k")) {
            MainTest.Result r = MainTest.run("datasets", "check", "--dataset", name, "--data", DatasetSamples.dir(name).toString());
            assertEquals(0, r.code(), name + ": " + r.out() + r.err());
        }
        MainTest.Result one = MainTest.run("datasets", "check", "--dataset", "voc", "--data", DatasetSamples.dir("voc").toString(), "--split", "train_aug");
        assertTrue(one.out().endsWith("datasets check: pairs=3 problems=0\n"), one.out());
    }

    @Test void problemsExitOneAndNameTheFiles(@TempDir Path tmp) throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Path label = d.resolve("labels/val/street_c.png");
        Files.delete(label);
        MainTest.Result r = MainTest.run("datasets", "check", "--dataset", "folder", "--data", d.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("problem missing_label: " + d.resolve("images/val/street_c.png") + ": no label " + label), r.out());
        assertTrue(r.out().endsWith("datasets check: pairs=2 problems=1\n"), r.out());
    }

    @Test void badUsageExitsTwo(@TempDir Path tmp) {
        assertEquals(2, MainTest.run("datasets", "check", "--dataset", "kitti", "--data", tmp.toString()).code());
        assertEquals(2, MainTest.run("datasets", "check", "--dataset", "voc", "--data", tmp.resolve("absent").toString()).code());
        MainTest.Result split = MainTest.run("datasets", "check", "--dataset", "ade20k", "--data", DatasetSamples.dir("ade20k").toString(), "--split", "test");
        assertEquals(2, split.code());
        assertTrue(split.err().contains("ade20k has splits train (training) and val (validation)"), split.err());
        MainTest.Result missing = MainTest.run("datasets", "check", "--dataset", "cityscapes", "--data", tmp.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.out().contains("problem layout: " + tmp.resolve("leftImg8bit/train") + ": expected folder"), missing.out());
    }
}
