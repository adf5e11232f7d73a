package adl.data;

import java.util.List;

/** A split of a segmentation dataset: indexed samples with a fixed class list. */
public interface Dataset {
    /** Dataset and split, for messages, e.g. "synthetic/train". */
    String name();

    int size();

    /** Sample {@code index} (0 ≤ index < size()); the same index always gives the same sample. */
    Sample get(int index);

    /** Class names, index = class id. */
    List<String> classes();

    /** RGB colour per class for predicted masks and plots. */
    int[][] palette();

    default int numClasses() { return classes().size(); }
}
