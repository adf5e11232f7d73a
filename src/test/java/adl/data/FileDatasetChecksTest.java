package adl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cheap checks when a split is opened (one exception listing the problems) and the lazy decode errors of get. */
class FileDatasetChecksTest {
    @TempDir Path tmp;

    @Test void upFrontProblemsAreCollectedIntoOneException() throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Files.delete(d.resolve("labels/train/street_a.png"));
        Files.write(d.resolve("images/train/street_b.jpg"), new byte[0]);
        Files.copy(d.resolve("images/train/street_a.png"), d.resolve("images/train/street_x.png"));
        BrokenSamples.greyLabel(d.resolve("labels/train/street_x.png"), 47, 32, 0);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("folder", d, "train", 1));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals("folder/train: 3 problems", lines.get(0));
        assertEquals(List.of(Problem.Kind.MISSING_LABEL, Problem.Kind.EMPTY, Problem.Kind.SIZE_MISMATCH),
                e.problems().stream().map(Problem::kind).toList());
        assertTrue(lines.get(1).contains(d.resolve("images/train/street_a.png") + ": no label"), lines.get(1));
        assertTrue(lines.get(2).contains(d.resolve("images/train/street_b.jpg") + ": file is empty"), lines.get(2));
        assertTrue(lines.get(3).contains(d.resolve("labels/train/street_x.png") + ": label is 47x32 but its image"), lines.get(3));
    }

    @Test void manyProblemsShowTheFirstFewAndTheTotal() throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        for (int i = 0; i < 7; i++) Files.copy(d.resolve("images/val/street_c.png"), d.resolve("images/val/extra_" + i + ".png"));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("folder", d, "val", 1));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals("folder/val: 7 problems (first 5 shown; `adl datasets check` lists all)", lines.get(0));
        assertEquals(1 + DatasetException.SHOWN, lines.size());
        assertEquals(7, e.problems().size());
        assertTrue(lines.get(1).contains("extra_0.png: no label"), lines.get(1));
    }

    @Test void unreadableHeaderIsCaughtUpFront() throws IOException {
        Path d = DatasetSamples.copy("voc", tmp);
        Path f = d.resolve("VOCdevkit/VOC2012/JPEGImages/2007_000039.jpg");
        Files.writeString(f, "not an image");
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("voc", d, "val", 1));
        assertEquals(Problem.Kind.UNREADABLE, e.problems().get(0).kind());
        assertTrue(e.getMessage().contains(f + ": not a PNG or JPEG"), e.getMessage());
    }

    @Test void decodeFailuresInGetNameTheFile() throws IOException {
        Path d = DatasetSamples.copy("cityscapes", tmp);
        Path img = d.resolve("leftImg8bit/val/frankfurt/frankfurt_000000_000294_leftImg8bit.png");
        BrokenSamples.truncate(img, 0.6);   // header intact: opening does not decode pixels
        FileDataset ds = Datasets.open("cityscapes", d, "val", 1);
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(0));
        assertTrue(e.getMessage().startsWith("cityscapes/val sample 0 (frankfurt_000000_000294): 1 problem"), e.getMessage());
        assertTrue(e.getMessage().contains(img + ": "), e.getMessage());

        Path lab = d.resolve("gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png");
        BrokenSamples.setLabel(lab, 5, 5, 200);
        FileDataset train = Datasets.open("cityscapes", d, "train", 1);
        DatasetException v = assertThrows(DatasetException.class, () -> train.get(0));
        assertTrue(v.getMessage().contains(lab + ": label values outside the dataset's classes: 200 (1 px)"), v.getMessage());
        assertEquals(64, train.get(1).height());
    }

    @Test void emptySplitAndBadResizeAreRejected(@TempDir Path t2) throws IOException {
        Path d = DatasetSamples.copy("folder", tmp);
        Files.createDirectories(d.resolve("images/empty"));
        Files.createDirectories(d.resolve("labels/empty"));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("folder", d, "empty", 1));
        assertTrue(e.getMessage().contains("no PNG or JPEG images"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("folder", d, "val", 0));
    }
}
