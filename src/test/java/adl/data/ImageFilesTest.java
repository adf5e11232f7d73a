package adl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFilesTest {
    static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, ((x * 37) & 255) << 16 | ((y * 53) & 255) << 8 | ((x + y) * 11 & 255));
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out));
        return out.toByteArray();
    }

    @Test void pngReadsIntoNormalisedChannelMajorFloats(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(2, 1, 0x0080FF);
        Path f = dir.resolve("a.png");
        Files.write(f, encode(img, "png"));
        BufferedImage back = ImageFiles.read(f);
        float[] chw = ImageFiles.toChw(back, Normalization.SYNTHETIC);
        assertEquals(18, chw.length);
        // pixel (0,0) = (255, 0, 0): R plane index 0, G plane index 6, B plane index 12
        assertEquals((1.0 - 0.5) / 0.25, chw[0], 1e-6);
        assertEquals((0.0 - 0.5) / 0.25, chw[6], 1e-6);
        assertEquals((0.0 - 0.5) / 0.25, chw[12], 1e-6);
        // pixel (y=1, x=2) = (0, 128, 255): index 5 in each plane
        assertEquals((128 / 255.0 - 0.5) / 0.25, chw[6 + 5], 1e-6);
        assertEquals((1.0 - 0.406) / 0.225, ImageFiles.toChw(back, Normalization.IMAGENET)[12 + 5], 1e-6);
        // and back to 8 bits exactly
        BufferedImage round = ImageFiles.toImage(chw, 2, 3, Normalization.SYNTHETIC);
        assertEquals(0x0080FF, round.getRGB(2, 1) & 0xFFFFFF);
        assertEquals(0xFF0000, round.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test void jpegAndGreyImagesReadAsRgb(@TempDir Path dir) throws IOException {
        Path j = dir.resolve("b.JPG");
        Files.write(j, encode(gradient(16, 8), "jpg"));
        BufferedImage img = ImageFiles.read(j);
        assertEquals(16, img.getWidth());
        assertEquals(8, img.getHeight());
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 200);
        Path g = dir.resolve("g.png");
        Files.write(g, encode(grey, "png"));
        float[] chw = ImageFiles.toChw(ImageFiles.read(g), Normalization.SYNTHETIC);
        assertEquals(chw[5], chw[16 + 5]);
        assertEquals(chw[5], chw[32 + 5]);
    }

    @Test void badFilesGiveOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "this is not an image\n");
        assertMessage(text, "not a PNG or JPEG");

        Path empty = dir.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        assertMessage(empty, "empty");

        byte[] png = encode(gradient(40, 30), "png");
        Path truncPng = dir.resolve("trunc.png");
        Files.write(truncPng, Arrays.copyOf(png, png.length / 2));
        assertMessage(truncPng, "");

        byte[] jpg = encode(gradient(64, 64), "jpg");
        Path truncJpg = dir.resolve("trunc.jpg");
        Files.write(truncJpg, Arrays.copyOf(jpg, jpg.length / 2));
        assertMessage(truncJpg, "");

        byte[] garbled = png.clone();
        for (int i = 60; i < garbled.length - 20; i += 7) garbled[i] ^= 0x5A;
        Path bad = dir.resolve("garbled.png");
        Files.write(bad, garbled);
        assertMessage(bad, "");

        assertMessage(dir.resolve("missing.png"), "not found");
    }

    private static void assertMessage(Path f, String part) {
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(f), f.toString());
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString() + ": ") && m.contains(part) && !m.contains("\n"), m);
    }

    @Test void listingSortsImagesAndSkipsOtherFiles(@TempDir Path dir) throws IOException {
        for (String n : List.of("b.png", "a.jpeg", "c.JPG", "readme.txt", "d.bmp")) Files.writeString(dir.resolve(n), "x");
        Files.createDirectory(dir.resolve("sub.png"));
        ImageFiles.Listing l = ImageFiles.list(dir);
        assertEquals(List.of(dir.resolve("a.jpeg"), dir.resolve("b.png"), dir.resolve("c.JPG")), l.images());
        assertEquals(List.of(dir.resolve("d.bmp"), dir.resolve("readme.txt")), l.skipped());
        assertEquals(List.of(dir.resolve("readme.txt")), ImageFiles.list(dir.resolve("readme.txt")).images());
        assertEquals("c", ImageFiles.baseName(dir.resolve("c.JPG")));
        Path none = Files.createDirectory(dir.resolve("none"));
        IOException e = assertThrows(IOException.class, () -> ImageFiles.list(none));
        assertTrue(e.getMessage().startsWith(none.toString()), e.getMessage());
        assertThrows(IOException.class, () -> ImageFiles.list(dir.resolve("absent")));
    }
}
