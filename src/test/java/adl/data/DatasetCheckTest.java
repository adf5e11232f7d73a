package adl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DatasetCheck: counts, histogram, and one test per kind of problem on a damaged copy of a sample. */
class DatasetCheckTest {
    @TempDir Path tmp;

    static DatasetCheck.Report check(String name, Path dir, String... splits) {
        return DatasetCheck.run(name, dir, List.of(splits), 100, (s, d, t) -> {});
    }

    /** The report has exactly one problem, of {@code kind}, naming {@code file}, whose detail contains {@code part}. */
    static void onlyProblem(DatasetCheck.Report r, Problem.Kind kind, Path file, String part) {
        List<Problem> ps = r.problems();
        assertEquals(1, ps.size(), ps.toString());
        assertEquals(kind, ps.get(0).kind(), ps.toString());
        assertEquals(file, ps.get(0).file());
        assertTrue(ps.get(0).toString().startsWith(file + ": ") && ps.get(0).detail().contains(part), ps.get(0).toString());
    }

    @Test void cleanSamplesPassWithExactHistogram() {
        for (String name : Datasets.NAMES) assertTrue(check(name, DatasetSamples.dir(name)).clean(), name);
        List<String> progress = new ArrayList<>();
        DatasetCheck.Report r = DatasetCheck.run("folder", DatasetSamples.dir("folder"), List.of(), 1, (s, d, t) -> progress.add(s + " " + d + "/" + t));
        assertEquals(List.of("train 1/2", "train 2/2", "val 1/1"), progress);
        assertEquals(List.of(2, 1), r.splits().stream().map(DatasetCheck.SplitReport::pairs).toList());
        // per 48x32 label: background 620, road 668, car 100, tree 100, ignore 48 (make_samples.py)
        assertArrayEquals(new long[] {1240, 1336, 200, 200}, r.splits().get(0).pixels());
        assertEquals(96, r.splits().get(0).ignored());
        assertArrayEquals(new long[] {1860, 2004, 300, 300}, r.pixels());
        DatasetCheck.Report voc = check("voc", DatasetSamples.dir("voc"));
        assertEquals(List.of("train", "val", "train_aug"), voc.splits().stream().map(DatasetCheck.SplitReport::split).toList());
    }

    @Test void missingLabel() throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Files.delete(d.resolve("labels/train/street_a.png"));
        onlyProblem(check("folder", d), Problem.Kind.MISSING_LABEL, d.resolve("images/train/street_a.png"), "no label");
    }

    @Test void missingImage() throws IOException {
        Path d = DatasetSamples.copy("cityscapes", tmp);
        Files.delete(d.resolve("leftImg8bit/val/frankfurt/frankfurt_000000_000294_leftImg8bit.png"));
        onlyProblem(check("cityscapes", d, "val"), Problem.Kind.MISSING_IMAGE,
                d.resolve("gtFine/val/frankfurt/frankfurt_000000_000294_gtFine_labelIds.png"), "no image");
    }

    @Test void truncatedPng() throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Path f = d.resolve("images/train/street_a.png");
        BrokenSamples.truncate(f, 0.6);
        onlyProblem(check("folder", d), Problem.Kind.UNREADABLE, f, "");
    }

    @Test void truncatedJpegWhichImageIoOnlyWarnsAbout() throws IOException {
        Path d = DatasetSamples.copy("voc", tmp);
        Path f = d.resolve("VOCdevkit/VOC2012/JPEGImages/2007_000039.jpg");
        BrokenSamples.truncate(f, 0.6);
        onlyProblem(check("voc", d, "val"), Problem.Kind.UNREADABLE, f, "truncated");
    }

    @Test void emptyFile() throws IOException {
        Path d = DatasetSamples.copy("ade20k", tmp);
        Path f = d.resolve("ADEChallengeData2016/annotations/validation/ADE_val_00000001.png");
        Files.write(f, new byte[0]);
        onlyProblem(check("ade20k", d, "val"), Problem.Kind.EMPTY, f, "empty");
    }

    @Test void sizeMismatch() throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Path f = d.resolve("labels/val/street_c.png");
        BrokenSamples.greyLabel(f, 40, 32, 1);
        onlyProblem(check("folder", d, "val"), Problem.Kind.SIZE_MISMATCH, f, "label is 40x32 but its image");
    }

    @Test void labelValuesOutsideTheClasses() throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Path f = d.resolve("labels/val/street_c.png");
        BrokenSamples.setLabel(f, 3, 3, 7);
        onlyProblem(check("folder", d, "val"), Problem.Kind.LABEL_VALUES, f, "7 (1 px); expected class ids 0..3 or 255");
        Path a = DatasetSamples.copy("ade20k", tmp.resolve("a"));
        Path g = a.resolve("ADEChallengeData2016/annotations/validation/ADE_val_00000001.png");
        BrokenSamples.setLabel(g, 0, 0, 151);
        onlyProblem(check("ade20k", a, "val"), Problem.Kind.LABEL_VALUES, g, "151 (1 px)");
        Path c = DatasetSamples.copy("cityscapes", tmp.resolve("c"));
        Path h = c.resolve("gtFine/val/frankfurt/frankfurt_000000_000294_gtFine_labelIds.png");
        BrokenSamples.setLabel(h, 0, 0, 34);
        onlyProblem(check("cityscapes", c, "val"), Problem.Kind.LABEL_VALUES, h, "34 (1 px)");
    }

    @Test void colourMaskInsteadOfLabelMap() throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Path f = d.resolve("labels/val/street_c.png");
        BrokenSamples.rgbLabel(f, 48, 32);
        onlyProblem(check("folder", d, "val"), Problem.Kind.LABEL_FORMAT, f, "3 channels");
    }

    @Test void missingSplitIsALayoutProblemAndOtherSplitsAreStillChecked() {
        DatasetCheck.Report r = check("folder", DatasetSamples.dir("folder"), "train", "test");
        assertEquals(2, r.splits().get(0).pairs());
        onlyProblem(r, Problem.Kind.LAYOUT, DatasetSamples.dir("folder").resolve("images/test"), "expected folder");
    }
}
