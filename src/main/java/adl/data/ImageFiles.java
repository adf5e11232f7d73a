package adl.data;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reading photographs for predict (and the dataset readers): PNG or JPEG via ImageIO, converted to
 * the {@link Sample} layout — float [3, H, W], channel-major R, G, B, normalised by a
 * {@link Normalization}. Grey and palette images are expanded to RGB; alpha is dropped.
 * Every failure is an IOException with one line that names the file.
 */
public final class ImageFiles {
    private ImageFiles() {}

    /** The extensions a folder listing picks up (lower-case, compared case-insensitively). */
    public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg");

    /** The images to process: {@code images} in order, {@code skipped} = folder entries that are not PNG/JPEG (for a notice). */
    public record Listing(List<Path> images, List<Path> skipped) {}

    /**
     * A file → that file alone (whatever its extension: it was named, so reading it decides); a
     * folder → its regular files with a PNG/JPEG extension, sorted by file name, not recursive.
     * A missing path, or a folder without images, is an error.
     */
    public static Listing list(Path input) throws IOException {
        if (Files.isRegularFile(input)) return new Listing(List.of(input), List.of());
        if (!Files.isDirectory(input)) throw new IOException(input + ": no such file or folder");
        List<Path> images = new ArrayList<>(), skipped = new ArrayList<>();
        try (Stream<Path> s = Files.list(input)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.comparing(q -> q.getFileName().toString()))::iterator) {
                if (!Files.isRegularFile(p)) continue;
                (isImageName(p) ? images : skipped).add(p);
            }
        }
        if (images.isEmpty()) throw new IOException(input + ": no PNG or JPEG images in this folder");
        return new Listing(List.copyOf(images), List.copyOf(skipped));
    }

    /** Whether the file name ends in .png, .jpg or .jpeg (any case). */
    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The file name without its last extension ("a/b/frame_01.jpg" → "frame_01"). */
    public static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /**
     * Decodes {@code file} fully. Missing, empty, unknown-format, corrupt and truncated files
     * (ImageIO reports truncation only as a warning: a warning here is an error) all fail.
     */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": image file not found");
        if (Files.size(file) == 0) throw new IOException(file + ": image file is empty");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new IOException(file + ": cannot open the image file");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException(file + ": not a PNG or JPEG image (no image reader recognises it)");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((src, msg) -> warnings.add(msg));
                ImageLimits.check(file, reader.getWidth(0), reader.getHeight(0));
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) throw new IOException(file + ": corrupt or truncated image (" + warnings.get(0) + ")");
                if (img.getWidth() < 1 || img.getHeight() < 1) throw new IOException(file + ": image has no pixels");
                return img;
            } finally {
                reader.dispose();
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": image file not found");
        } catch (IIOException e) {
            throw new IOException(file + ": corrupt or unreadable image (" + e.getMessage() + ")");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) throw e;
            throw new IOException(file + ": cannot read the image (" + (e.getMessage() != null ? e.getMessage() : "input/output error") + ")");
        } catch (RuntimeException e) {
            // some decoders fail on damaged data with unchecked exceptions (e.g. ArrayIndexOutOfBounds)
            throw new IOException(file + ": corrupt image (the decoder failed" + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")");
        }
    }

    /** img (H×W) → [3, H, W] floats, channel-major R, G, B, each value {@code norm.apply(c, v)}. */
    public static float[] toChw(BufferedImage img, Normalization norm) {
        int h = img.getHeight(), w = img.getWidth();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) for (int v = 0; v < 256; v++) lut[c][v] = norm.apply(c, v);
        float[] out = new float[3 * h * w];
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            out[i] = lut[0][(p >> 16) & 255];
            out[plane + i] = lut[1][(p >> 8) & 255];
            out[2 * plane + i] = lut[2][p & 255];
        }
        return out;
    }

    /** The inverse of {@link #toChw}: [3, H, W] network input → an RGB image (values rounded and clamped). */
    public static BufferedImage toImage(float[] chw, int height, int width, Normalization norm) {
        if (chw.length != 3 * height * width) {
            throw new IllegalArgumentException("image has " + chw.length + " values, expected 3x" + height + "x" + width);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = (norm.invert(0, chw[i]) << 16) | (norm.invert(1, chw[plane + i]) << 8) | norm.invert(2, chw[2 * plane + i]);
        }
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }
}
