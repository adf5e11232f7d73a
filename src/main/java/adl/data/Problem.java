package adl.data;

import java.nio.file.Path;

/**
 * One thing wrong with a dataset on disk, naming the file (or the folder) it concerns; reported by
 * the readers' up-front checks and by {@link DatasetCheck}. {@code toString()} is the one-line form
 * {@code <file>: <detail>}.
 */
public record Problem(Kind kind, Path file, String detail) {
    public enum Kind {
        /** A folder or list file of the published layout is missing or empty. */
        LAYOUT,
        /** A label without its image. */
        MISSING_IMAGE,
        /** An image without its label. */
        MISSING_LABEL,
        /** A zero-byte file. */
        EMPTY,
        /** Not a PNG/JPEG, or corrupt, or truncated (ImageIO's warnings count as failures). */
        UNREADABLE,
        /** Image and label differ in width or height. */
        SIZE_MISMATCH,
        /** A label that is not single-channel class ids (or a palette PNG's indices), e.g. RGB. */
        LABEL_FORMAT,
        /** Label values that are neither a class of the dataset nor its ignore value. */
        LABEL_VALUES
    }

    @Override public String toString() { return file + ": " + detail; }
}
