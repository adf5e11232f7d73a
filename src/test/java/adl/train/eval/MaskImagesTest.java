package adl.train.eval;

import adl.data.ImageFiles;
import adl.data.Normalization;
import adl.data.Palettes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskImagesTest {
    static final int[][] PALETTE = Palettes.cityscapes().colors();

    @Test void colourMaskRoundTripsThroughAPngFile(@TempDir Path dir) throws IOException {
        int[] labels = {0, 13, 255, 18, 10, 0};   // road, car, ignore, bicycle, sky, road; 2 rows × 3
        Path png = dir.resolve("out/sub/mask.png");
        MaskImages.writePng(png, MaskImages.colorize(labels, 2, 3, PALETTE));
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(3, back.getWidth());
        assertEquals(2, back.getHeight());
        assertEquals(0x804080, back.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00008E, back.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(MaskImages.IGNORE_RGB, back.getRGB(2, 0) & 0xFFFFFF);
        assertEquals(0x770B20, back.getRGB(0, 1) & 0xFFFFFF);
        assertEquals(0x4682B4, back.getRGB(1, 1) & 0xFFFFFF);
        try (var files = Files.list(png.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        // through the project's own reader too
        assertEquals(0x804080, ImageFiles.read(png).getRGB(2, 1) & 0xFFFFFF);
    }

    @Test void overlayBlendsPerChannelAndLeavesIgnoredPixelsAlone() {
        BufferedImage photo = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        photo.setRGB(0, 0, 0x102030);
        photo.setRGB(1, 0, 0x405060);
        BufferedImage o = MaskImages.overlay(photo, new int[] {0, 255}, PALETTE, 0.5);
        // road (128, 64, 128) over (16, 32, 48): (72, 48, 88)
        assertEquals((72 << 16) | (48 << 8) | 88, o.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x405060, o.getRGB(1, 0) & 0xFFFFFF);
        BufferedImage quarter = MaskImages.overlay(photo, new int[] {13, 13}, PALETTE, 0.25);
        // car (0, 0, 142) at 0.25 over (16, 32, 48): (12, 24, round(36 + 35.5) = 72)
        assertEquals((12 << 16) | (24 << 8) | 72, quarter.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x405060, MaskImages.overlay(photo, new int[] {0, 1}, PALETTE, 0).getRGB(1, 0) & 0xFFFFFF);
        assertThrows(IllegalArgumentException.class, () -> MaskImages.overlay(photo, new int[] {0, 1}, PALETTE, 1.5));
    }

    @Test void overlayOfADatasetSampleRecoversItsPixels() {
        float[] chw = new float[3 * 2 * 2];
        for (int i = 0; i < chw.length; i++) chw[i] = (float) ((i * 20 / 255.0 - 0.5) / 0.25);
        BufferedImage photo = ImageFiles.toImage(chw, 2, 2, Normalization.SYNTHETIC);
        BufferedImage o = MaskImages.overlay(photo, new int[] {255, 255, 255, 255}, PALETTE, 0.5);
        // pixel 1: r = 1·20, g = 5·20, b = 9·20
        assertEquals((20 << 16) | (100 << 8) | 180, o.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test void labelsOutsideThePaletteAndWrongSizesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskImages.colorize(new int[] {0, 19}, 1, 2, PALETTE));
        assertTrue(e.getMessage().contains("label 19") && e.getMessage().contains("(0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MaskImages.colorize(new int[] {0, 1, 2}, 1, 2, PALETTE));
    }

    @Test void labelImageStoresClassIdsAsGreyValues(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("labels.png");
        MaskImages.writePng(png, MaskImages.labelImage(new int[] {0, 3, 255, 18}, 2, 2));
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(1, back.getRaster().getNumBands());
        assertEquals(3, back.getRaster().getSample(1, 0, 0));
        assertEquals(255, back.getRaster().getSample(0, 1, 0));
        assertEquals(18, back.getRaster().getSample(1, 1, 0));
    }
}
