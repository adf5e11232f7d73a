package adl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static adl.data.DatasetSamples.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VOC sample: palette PNG labels read as indices (person 15, aeroplane 1, border 255); split lists; train_aug. */
class VocFilesTest {
    static final Path DIR = DatasetSamples.dir("voc");

    @Test void paletteLabelsAreReadAsIndicesNotColours() throws IOException {
        FileDataset d = Datasets.open("voc", DIR, "train", 1);
        assertEquals(List.of("2007_000032", "2007_000033"), d.entries().stream().map(DatasetEntry::name).toList());
        assertInstanceOf(IndexColorModel.class, ImageIO.read(d.entries().get(0).label().toFile()).getColorModel(), "sample is a palette PNG");
        Sample s = d.get(0);
        assertEquals(64, s.height());
        assertEquals(96, s.width());
        assertEquals(15, at(s, 30, 20));   // person, drawn (192, 128, 128)
        assertEquals(255, at(s, 18, 8));   // border
        assertEquals(1, at(s, 60, 25));    // aeroplane
        assertEquals(0, at(s, 5, 50));     // background
        assertEquals(72, d.get(1).height());
        assertEquals(21, d.numClasses());
    }

    @Test void splitListsAndRootFolders() {
        assertEquals(1, Datasets.open("voc", DIR, "val", 1).size());
        assertEquals(3, Datasets.open("voc", DIR, "trainval", 1).size());
        assertEquals(2, Datasets.open("pascal-voc", DIR.resolve("VOCdevkit/VOC2012"), "train", 1).size());
        assertTrue(VocFiles.splits(DIR).containsAll(List.of("train", "val", "trainval", "train_aug")), VocFiles.splits(DIR).toString());
        assertEquals(List.of("train", "val", "train_aug"), Datasets.splits("voc", DIR));
    }

    @Test void trainAugUsesSegmentationClassAugAndThePairListForm() {
        FileDataset d = Datasets.open("voc", DIR, "train_aug", 1);
        assertEquals(List.of("2007_000032", "2007_000033", "2008_000002"), d.entries().stream().map(DatasetEntry::name).toList());
        for (DatasetEntry e : d.entries()) assertEquals("SegmentationClassAug", e.label().getParent().getFileName().toString());
        Sample s = d.get(2);
        assertEquals(15, at(s, 30, 20));
        assertEquals(0, at(s, 18, 8));     // the augmented labels have no border
    }

    @Test void missingTrainAugSaysWhereItIsExpected(@TempDir Path tmp) throws IOException {
        Path voc = DatasetSamples.copy("voc", tmp);
        Path list = voc.resolve("VOCdevkit/VOC2012/ImageSets/Segmentation/train_aug.txt");
        Files.delete(list);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("voc", voc, "train_aug", 1));
        assertTrue(e.getMessage().contains(list.toString()) && e.getMessage().contains("SegmentationClassAug"), e.getMessage());
        assertEquals(List.of("train", "val"), Datasets.splits("voc", voc));
        DatasetException none = assertThrows(DatasetException.class, () -> Datasets.open("voc", tmp.resolve("nothing"), "train", 1));
        assertTrue(none.getMessage().contains("VOCdevkit/VOC2012/JPEGImages"), none.getMessage());
    }

    @Test void listedButMissingFilesAreNamed(@TempDir Path tmp) throws IOException {
        Path voc = DatasetSamples.copy("voc", tmp);
        Files.writeString(voc.resolve("VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt"), "2007_000039\n2009_999999\n");
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("voc", voc, "val", 1));
        assertTrue(e.getMessage().startsWith("voc/val: 2 problems"), e.getMessage());
        assertTrue(e.getMessage().contains("JPEGImages/2009_999999.jpg: listed in val.txt but missing"), e.getMessage());
        assertTrue(e.getMessage().contains("SegmentationClass/2009_999999.png: listed in val.txt but missing"), e.getMessage());
    }
}
