package adl.train.plot;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions shared by the plot tests: a readable, sensibly sized, non-blank PNG and no temp files left. */
final class PngCheck {
    private PngCheck() {}

    static BufferedImage valid(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " exists");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " decodes as an image");
        assertTrue(img.getWidth() >= 900 && img.getWidth() <= 1500, png + " width " + img.getWidth());
        assertTrue(img.getHeight() >= 250 && img.getHeight() <= 2200, png + " height " + img.getHeight());
        assertTrue(distinctColours(img, 50) >= 50, png + " is not blank");
        noTempFiles(png.getParent());
        return img;
    }

    /** Number of distinct RGB values, counting up to {@code cap}. */
    static int distinctColours(BufferedImage img, int cap) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                seen.add(img.getRGB(x, y) & 0xFFFFFF);
                if (seen.size() >= cap) return cap;
            }
        }
        return seen.size();
    }

    /** Pixels close to {@code rgb} (each channel within {@code tol}). */
    static int count(BufferedImage img, int rgb, int tol) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs((p >> 16 & 255) - (rgb >> 16 & 255)) <= tol && Math.abs((p >> 8 & 255) - (rgb >> 8 & 255)) <= tol
                        && Math.abs((p & 255) - (rgb & 255)) <= tol) n++;
            }
        }
        return n;
    }

    static void noTempFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "temporary files left in " + dir);
        }
    }
}
