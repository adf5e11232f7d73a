package adl.data;

import java.nio.file.Path;

/** One image/label pair of a dataset split; {@code name} is the image's base name (for messages and outputs). */
public record DatasetEntry(String name, Path image, Path label, LabelMap labels) {}
