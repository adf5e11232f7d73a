package adl.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Your own data (datasets/folder.md):
 * <pre>
 * DIR/classes.json                          class names and colours ({@link ClassesJson})
 * DIR/images/&lt;split&gt;/&lt;name&gt;.(png|jpg|jpeg)
 * DIR/labels/&lt;split&gt;/&lt;name&gt;.png             single-channel class ids 0..n−1, 255 = ignore
 * </pre>
 * A split is any subfolder of images/ (typically train and val).
 */
public final class FolderFiles {
    private FolderFiles() {}

    /** The subfolders of DIR/images. */
    public static List<String> splits(Path dir) {
        return LayoutFiles.subfolders(LayoutFiles.requireDir("folder", dir.resolve("images"), "images/<split>/<name>.png|jpg"));
    }

    public static Palette classes(Path dir) {
        try {
            return ClassesJson.read(dir.resolve("classes.json"));
        } catch (IOException e) {
            throw LayoutFiles.layout("folder", dir.resolve("classes.json"), e.getMessage());
        }
    }

    public static DatasetLayout scan(Path dir, String split) {
        String what = "folder/" + split;
        Palette palette = classes(dir);
        Path images = LayoutFiles.requireDir(what, dir.resolve("images").resolve(split), "images/<split>/<name>.png|jpg; splits present: " + splitsOrNone(dir));
        Path labels = LayoutFiles.requireDir(what, dir.resolve("labels").resolve(split), "labels/<split>/<name>.png, one per image");
        LabelMap map = LabelMap.direct(palette.size());
        List<DatasetEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<String, Path> byName = new HashMap<>();
        for (Path img : LayoutFiles.files(images, 1, n -> ImageFiles.isImageName(Path.of(n)))) {
            String base = ImageFiles.baseName(img);
            Path other = byName.putIfAbsent(base, img);
            if (other != null) {
                problems.add(new Problem(Problem.Kind.LAYOUT, img, "two images named " + base + " (also " + other.getFileName() + ")"));
                continue;
            }
            Path lab = labels.resolve(base + ".png");
            if (Files.isRegularFile(lab)) entries.add(new DatasetEntry(base, img, lab, map));
            else problems.add(new Problem(Problem.Kind.MISSING_LABEL, img, "no label " + lab));
        }
        for (Path lab : LayoutFiles.files(labels, 1, n -> n.endsWith(".png"))) {
            String base = ImageFiles.baseName(lab);
            if (!byName.containsKey(base)) problems.add(new Problem(Problem.Kind.MISSING_IMAGE, lab, "no image " + images.resolve(base + ".png|jpg")));
        }
        if (entries.isEmpty() && problems.isEmpty()) problems.add(new Problem(Problem.Kind.LAYOUT, images, "no PNG or JPEG images"));
        return new DatasetLayout(what, palette, entries, problems);
    }

    private static String splitsOrNone(Path dir) {
        List<String> s = LayoutFiles.subfolders(dir.resolve("images"));
        return s.isEmpty() ? "none" : String.join(", ", s);
    }
}
