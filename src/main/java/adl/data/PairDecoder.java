package adl.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Decodes one {@link DatasetEntry} fully and says everything wrong with it: an image or label
 * that is missing, empty, unreadable or truncated, a label that is not single-channel, sizes that
 * differ, raw label values the dataset's {@link LabelMap} does not know. The readers' {@code get}
 * throws on the first problem list; {@link DatasetCheck} collects them.
 */
final class PairDecoder {
    private PairDecoder() {}

    /** image non-null when it decoded; classIds: [H, W] mapped ids, non-null only when problems is empty. */
    record Decoded(BufferedImage image, int[] classIds, int height, int width, List<Problem> problems) {}

    static Decoded decode(DatasetEntry e) {
        List<Problem> problems = new ArrayList<>();
        BufferedImage img = read(e.image(), Problem.Kind.MISSING_IMAGE, problems);
        BufferedImage lab = read(e.label(), Problem.Kind.MISSING_LABEL, problems);
        LabelFiles.RawLabel raw = null;
        if (lab != null) {
            try {
                raw = LabelFiles.fromImage(e.label(), lab);
            } catch (IOException ex) {
                problems.add(new Problem(Problem.Kind.LABEL_FORMAT, e.label(), ImageHeaders.stripFile(e.label(), ex.getMessage())));
            }
        }
        if (img != null && lab != null && (img.getWidth() != lab.getWidth() || img.getHeight() != lab.getHeight())) {
            problems.add(ImageHeaders.mismatch(e, new ImageHeaders.Size(img.getWidth(), img.getHeight()),
                    new ImageHeaders.Size(lab.getWidth(), lab.getHeight())));
        }
        int[] ids = raw == null ? null : map(e, raw, problems);
        if (img == null || !problems.isEmpty()) return new Decoded(img, null, 0, 0, problems);
        return new Decoded(img, ids, img.getHeight(), img.getWidth(), problems);
    }

    /** Raw values → class ids; invalid values become one LABEL_VALUES problem listing them with pixel counts. */
    private static int[] map(DatasetEntry e, LabelFiles.RawLabel raw, List<Problem> problems) {
        int[] v = raw.values(), ids = new int[v.length];
        TreeMap<Integer, Integer> bad = null;
        for (int i = 0; i < v.length; i++) {
            int c = e.labels().classId(v[i]);
            if (c < 0) {
                if (bad == null) bad = new TreeMap<>();
                bad.merge(v[i], 1, Integer::sum);
            }
            ids[i] = c;
        }
        if (bad == null) return ids;
        StringBuilder m = new StringBuilder("label values outside the dataset's classes: ");
        int shown = 0;
        for (var kv : bad.entrySet()) {
            if (shown++ == 5) { m.append(", ..."); break; }
            m.append(shown > 1 ? ", " : "").append(kv.getKey()).append(" (").append(kv.getValue()).append(" px)");
        }
        m.append("; expected ").append(e.labels().description());
        problems.add(new Problem(Problem.Kind.LABEL_VALUES, e.label(), m.toString()));
        return null;
    }

    private static BufferedImage read(Path file, Problem.Kind ifMissing, List<Problem> problems) {
        try {
            if (Files.isRegularFile(file) && Files.size(file) == 0) {
                problems.add(new Problem(Problem.Kind.EMPTY, file, "file is empty"));
                return null;
            }
            return ImageFiles.read(file);
        } catch (IOException ex) {
            Problem.Kind kind = Files.exists(file) ? Problem.Kind.UNREADABLE : ifMissing;
            problems.add(new Problem(kind, file, ImageHeaders.stripFile(file, ex.getMessage())));
            return null;
        }
    }
}
