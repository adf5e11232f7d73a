package adl.cli;

import adl.data.ImageLimits;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --max-image-pixels N} of the commands that read image files; a picocli mixin (docs/07-guarantees.md). */
final class ImageLimitOption {
    @Option(names = "--max-image-pixels", paramLabel = "N", description = "Refuse images of more than N pixels (width x height), "
            + "checked from the file header before decoding. Default 64000000 (64 megapixels).")
    Long maxImagePixels;

    /** Sets the limit for this command (the default when the flag is absent). */
    void apply(CommandLine cmd) {
        long n = maxImagePixels != null ? maxImagePixels : ImageLimits.DEFAULT_MAX_PIXELS;
        if (n < 1) throw new CommandLine.ParameterException(cmd, "--max-image-pixels must be >= 1, got " + n);
        ImageLimits.setMaxPixels(n);
    }
}
