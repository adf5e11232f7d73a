package adl.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The cheap up-front check of a split (datasets/README.md): every file exists and is non-empty, its header
 * names a PNG/JPEG size (read with an ImageReader, pixels not decoded), and image and label sizes
 * agree. Decoding everything is {@link DatasetCheck}'s job.
 */
public final class ImageHeaders {
    private ImageHeaders() {}

    /** Width and height in pixels. */
    public record Size(int width, int height) {
        @Override public String toString() { return width + "x" + height; }
    }

    /** The size stored in {@code file}'s header; an IOException naming the file when there is none. */
    public static Size size(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": file not found");
        if (Files.size(file) == 0) throw new IOException(file + ": file is empty");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new IOException(file + ": cannot open the image file");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException(file + ": not a PNG or JPEG image (no image reader recognises it)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                Size size = new Size(reader.getWidth(0), reader.getHeight(0));
                ImageLimits.check(file, size.width(), size.height());
                return size;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) throw e;
            throw new IOException(file + ": unreadable image header (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new IOException(file + ": unreadable image header (" + (e.getMessage() != null ? e.getMessage() : "corrupt data") + ")");
        }
    }

    /** Empty files, unreadable headers and image/label size mismatches of {@code entries}, in entry order. */
    public static List<Problem> check(List<DatasetEntry> entries) {
        List<Problem> problems = new ArrayList<>();
        for (DatasetEntry e : entries) {
            Size img = sizeOrProblem(e.image(), problems), lab = sizeOrProblem(e.label(), problems);
            if (img != null && lab != null && !img.equals(lab)) problems.add(mismatch(e, img, lab));
        }
        return problems;
    }

    static Problem mismatch(DatasetEntry e, Size image, Size label) {
        return new Problem(Problem.Kind.SIZE_MISMATCH, e.label(), "label is " + label + " but its image " + e.image() + " is " + image);
    }

    private static Size sizeOrProblem(Path file, List<Problem> problems) {
        try {
            if (Files.isRegularFile(file) && Files.size(file) == 0) {
                problems.add(new Problem(Problem.Kind.EMPTY, file, "file is empty"));
                return null;
            }
            return size(file);
        } catch (IOException e) {
            problems.add(new Problem(Problem.Kind.UNREADABLE, file, stripFile(file, e.getMessage())));
            return null;
        }
    }

    /** An ImageFiles/ImageHeaders message without its leading "{@code file}: ". */
    static String stripFile(Path file, String message) {
        String prefix = file + ": ";
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : String.valueOf(message);
    }
}
