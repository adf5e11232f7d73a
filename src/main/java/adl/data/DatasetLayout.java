package adl.data;

import java.util.List;

/**
 * What a reader found on disk for one split without decoding anything: the complete pairs in
 * order, and the problems of pairing (missing image or label, missing list entries).
 * {@code name} is "dataset/split", e.g. "cityscapes/train".
 */
public record DatasetLayout(String name, Palette palette, List<DatasetEntry> entries, List<Problem> problems) {
    public DatasetLayout {
        entries = List.copyOf(entries);
        problems = List.copyOf(problems);
    }
}
