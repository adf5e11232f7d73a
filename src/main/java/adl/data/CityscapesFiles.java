package adl.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Cityscapes as cityscapesScripts publishes it ({@code leftImg8bit_trainvaltest.zip} +
 * {@code gtFine_trainvaltest.zip} unpacked into one folder DIR):
 * <pre>
 * DIR/leftImg8bit/&lt;split&gt;/&lt;city&gt;/&lt;name&gt;_leftImg8bit.png      RGB 2048x1024
 * DIR/gtFine/&lt;split&gt;/&lt;city&gt;/&lt;name&gt;_gtFine_labelIds.png     label ids 0..33 (grey)
 * DIR/gtFine/&lt;split&gt;/&lt;city&gt;/&lt;name&gt;_gtFine_labelTrainIds.png  train ids 0..18, 255 (optional; used when present)
 * </pre>
 * Splits train, val, test (test labels are all "unlabeled": every pixel ignored).
 */
public final class CityscapesFiles {
    private CityscapesFiles() {}

    public static final List<String> SPLITS = List.of("train", "val", "test");
    static final String IMAGE = "_leftImg8bit.png", LABEL_IDS = "_gtFine_labelIds.png", TRAIN_IDS = "_gtFine_labelTrainIds.png";

    public static DatasetLayout scan(Path dir, String split) {
        String what = "cityscapes/" + split;
        if (!SPLITS.contains(split)) throw new IllegalArgumentException("cityscapes has splits " + SPLITS + ", not '" + split + "'");
        Path images = LayoutFiles.requireDir(what, dir.resolve("leftImg8bit").resolve(split),
                "from leftImg8bit_trainvaltest.zip; --data is the folder holding leftImg8bit/ and gtFine/");
        Path labels = LayoutFiles.requireDir(what, dir.resolve("gtFine").resolve(split), "from gtFine_trainvaltest.zip");
        LabelMap ids = LabelMap.cityscapesLabelIds(), trainIds = LabelMap.direct(19);
        List<DatasetEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path img : LayoutFiles.files(images, 2, n -> n.endsWith(IMAGE))) {
            Path rel = images.relativize(img);
            String base = LayoutFiles.stripSuffix(img.getFileName().toString(), IMAGE);
            Path folder = rel.getParent() == null ? labels : labels.resolve(rel.getParent());
            seen.add(folder.resolve(base).toString());
            Path t = folder.resolve(base + TRAIN_IDS), l = folder.resolve(base + LABEL_IDS);
            if (Files.isRegularFile(t)) entries.add(new DatasetEntry(base, img, t, trainIds));
            else if (Files.isRegularFile(l)) entries.add(new DatasetEntry(base, img, l, ids));
            else problems.add(new Problem(Problem.Kind.MISSING_LABEL, img, "no label " + l));
        }
        for (Path lab : LayoutFiles.files(labels, 2, n -> n.endsWith(LABEL_IDS) || n.endsWith(TRAIN_IDS))) {
            String n = lab.getFileName().toString();
            String base = n.endsWith(LABEL_IDS) ? LayoutFiles.stripSuffix(n, LABEL_IDS) : LayoutFiles.stripSuffix(n, TRAIN_IDS);
            if (seen.add(lab.resolveSibling(base).toString())) {
                Path rel = labels.relativize(lab.getParent());
                problems.add(new Problem(Problem.Kind.MISSING_IMAGE, lab, "no image " + images.resolve(rel).resolve(base + IMAGE)));
            }
        }
        if (entries.isEmpty() && problems.isEmpty()) problems.add(new Problem(Problem.Kind.LAYOUT, images, "no *" + IMAGE + " files"));
        return new DatasetLayout(what, Palettes.cityscapes(), entries, problems);
    }
}
