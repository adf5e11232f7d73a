package adl.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Ways to damage a copied sample file, for the problem-report tests. */
final class BrokenSamples {
    private BrokenSamples() {}

    /** Keeps the first {@code fraction} of the file's bytes. */
    static void truncate(Path file, double fraction) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, (int) (b.length * fraction)));
    }

    /** Overwrites {@code file} with a w×h single-channel PNG filled with {@code value}. */
    static void greyLabel(Path file, int w, int h, int value) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, value);
        ImageIO.write(img, "png", file.toFile());
    }

    /** Overwrites {@code file} with a w×h RGB PNG (a colour mask, not a label map). */
    static void rgbLabel(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(img, "png", file.toFile());
    }

    /** Sets the pixel (x, y) of a grey label PNG to {@code value}, keeping the rest. */
    static void setLabel(Path file, int x, int y, int value) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        img.getRaster().setSample(x, y, 0, value);
        ImageIO.write(img, "png", file.toFile());
    }
}
