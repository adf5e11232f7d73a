package adl.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The largest image (width × height) any reader decodes, checked from the file's header before a
 * pixel is decoded (docs/07-guarantees.md): a 389 KB PNG can claim 20000×20000 pixels, 1.6 GB as
 * ARGB. 64 megapixels by default, room for Cityscapes' 2048×1024 and ADE20K's largest images;
 * {@code --max-image-pixels N} sets it for one command.
 */
public final class ImageLimits {
    public static final long DEFAULT_MAX_PIXELS = 64_000_000L;
    private static volatile long maxPixels = DEFAULT_MAX_PIXELS;

    private ImageLimits() {}

    public static long maxPixels() { return maxPixels; }

    /** Sets the limit for this process (the CLI's --max-image-pixels). */
    public static void setMaxPixels(long n) {
        if (n < 1) throw new IllegalArgumentException("--max-image-pixels must be >= 1, got " + n);
        maxPixels = n;
    }

    /** An IOException naming {@code file} when width × height is over the limit. */
    static void check(Path file, long width, long height) throws IOException {
        if (width < 1 || height < 1) throw new IOException(file + ": image header claims " + width + "x" + height + " pixels");
        long px = width * height;
        if (px > maxPixels) {
            throw new IOException(String.format(Locale.ROOT, "%s: image is %dx%d = %d pixels, over the limit of %d (--max-image-pixels %d would allow it)",
                    file, width, height, px, maxPixels, px));
        }
    }
}
