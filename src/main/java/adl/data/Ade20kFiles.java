package adl.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ADE20K as the MIT Scene Parsing benchmark publishes it ({@code ADEChallengeData2016.zip}):
 * <pre>
 * ADE/images/{training,validation}/ADE_*_&lt;n&gt;.jpg
 * ADE/annotations/{training,validation}/ADE_*_&lt;n&gt;.png    grey: 0 = other (ignore), 1..150 = classes 0..149
 * </pre>
 * where ADE is {@code DIR/ADEChallengeData2016} or DIR itself. Split train = training, val = validation.
 */
public final class Ade20kFiles {
    private Ade20kFiles() {}

    public static final List<String> SPLITS = List.of("train", "val");

    /** train → training, val → validation (the folder names are accepted as they are). */
    public static String folder(String split) {
        return switch (split) {
            case "train", "training" -> "training";
            case "val", "validation" -> "validation";
            default -> throw new IllegalArgumentException("ade20k has splits train (training) and val (validation), not '" + split + "'");
        };
    }

    public static Path root(Path dir) {
        for (Path c : List.of(dir.resolve("ADEChallengeData2016"), dir)) {
            if (Files.isDirectory(c.resolve("images")) && Files.isDirectory(c.resolve("annotations"))) return c;
        }
        throw LayoutFiles.layout("ade20k", dir, "expected folders " + dir.resolve("ADEChallengeData2016/images") + " and .../annotations"
                + " (from ADEChallengeData2016.zip; --data may also be ADEChallengeData2016 itself)");
    }

    public static DatasetLayout scan(Path dir, String split) {
        String sub = folder(split), what = "ade20k/" + split;
        Path ade = root(dir);
        Path images = LayoutFiles.requireDir(what, ade.resolve("images").resolve(sub), "from ADEChallengeData2016.zip");
        Path labels = LayoutFiles.requireDir(what, ade.resolve("annotations").resolve(sub), "from ADEChallengeData2016.zip");
        LabelMap map = LabelMap.ade20k();
        List<DatasetEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path img : LayoutFiles.files(images, 1, n -> n.endsWith(".jpg"))) {
            String base = ImageFiles.baseName(img);
            seen.add(base);
            Path lab = labels.resolve(base + ".png");
            if (Files.isRegularFile(lab)) entries.add(new DatasetEntry(base, img, lab, map));
            else problems.add(new Problem(Problem.Kind.MISSING_LABEL, img, "no label " + lab));
        }
        for (Path lab : LayoutFiles.files(labels, 1, n -> n.endsWith(".png"))) {
            String base = ImageFiles.baseName(lab);
            if (!seen.contains(base)) problems.add(new Problem(Problem.Kind.MISSING_IMAGE, lab, "no image " + images.resolve(base + ".jpg")));
        }
        if (entries.isEmpty() && problems.isEmpty()) problems.add(new Problem(Problem.Kind.LAYOUT, images, "no .jpg images"));
        return new DatasetLayout(what, Palettes.ade20k(), entries, problems);
    }
}
