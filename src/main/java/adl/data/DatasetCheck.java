package adl.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code adl datasets check}: decodes every image and label of the chosen splits and reports the
 * pair counts, the class histogram (pixels per class after the label mapping, plus ignored
 * pixels) and every problem found, each naming its file (datasets/README.md). Nothing is skipped silently:
 * a split whose folders are missing is a LAYOUT problem, and the other splits are still checked.
 */
public final class DatasetCheck {
    private DatasetCheck() {}

    /** Called after every {@code every}-th pair of a split and after its last one. */
    public interface Progress { void done(String split, int checked, int total); }

    /** pixels[c]: pixels of class c over the split's decodable pairs; ignored: pixels labelled 255. */
    public record SplitReport(String split, int pairs, long[] pixels, long ignored, List<Problem> problems) {
        public SplitReport {
            pixels = pixels.clone();
            problems = List.copyOf(problems);
        }

        @Override public long[] pixels() { return pixels.clone(); }
    }

    public record Report(String dataset, Path dir, List<String> classes, List<SplitReport> splits) {
        public Report {
            classes = List.copyOf(classes);
            splits = List.copyOf(splits);
        }

        public List<Problem> problems() { return splits.stream().flatMap(s -> s.problems().stream()).toList(); }

        public boolean clean() { return problems().isEmpty(); }

        /** Pixels per class summed over the splits. */
        public long[] pixels() {
            long[] t = new long[classes.size()];
            for (SplitReport s : splits) for (int c = 0; c < t.length; c++) t[c] += s.pixels[c];
            return t;
        }
    }

    /** Checks {@code splits} of dataset {@code name} in DIR ({@link Datasets#splits} when empty). */
    public static Report run(String name, Path dir, List<String> splits, int every, Progress progress) {
        String ds = Datasets.canonical(name);
        Palette palette = Datasets.palette(ds, dir);
        List<String> todo = splits.isEmpty() ? Datasets.splits(ds, dir) : splits;
        List<SplitReport> reports = new ArrayList<>();
        for (String split : todo) {
            DatasetLayout layout;
            try {
                layout = Datasets.scan(ds, dir, split);
            } catch (DatasetException e) {
                reports.add(new SplitReport(split, 0, new long[palette.size()], 0, e.problems()));
                continue;
            }
            reports.add(check(split, layout, palette.size(), every, progress));
        }
        return new Report(ds, dir, palette.names(), reports);
    }

    /** Decodes every pair of one split. */
    public static SplitReport check(String split, DatasetLayout layout, int numClasses, int every, Progress progress) {
        if (every < 1) throw new IllegalArgumentException("progress interval must be >= 1, got " + every);
        List<Problem> problems = new ArrayList<>(layout.problems());
        long[] pixels = new long[numClasses];
        long ignored = 0;
        List<DatasetEntry> entries = layout.entries();
        for (int i = 0; i < entries.size(); i++) {
            PairDecoder.Decoded d = PairDecoder.decode(entries.get(i));
            problems.addAll(d.problems());
            if (d.classIds() != null) {
                for (int c : d.classIds()) {
                    if (c == Sample.IGNORE) ignored++;
                    else pixels[c]++;
                }
            }
            if ((i + 1) % every == 0 || i + 1 == entries.size()) progress.done(split, i + 1, entries.size());
        }
        return new SplitReport(split, entries.size(), pixels, ignored, problems);
    }
}
