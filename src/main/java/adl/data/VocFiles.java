package adl.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PASCAL VOC 2012 segmentation as the devkit publishes it ({@code VOCtrainval_11-May-2012.tar}):
 * <pre>
 * VOC/JPEGImages/&lt;name&gt;.jpg
 * VOC/SegmentationClass/&lt;name&gt;.png                  palette PNG: index 0..20 = class, 255 = border (ignore)
 * VOC/ImageSets/Segmentation/&lt;split&gt;.txt             one name per line (train, val, trainval)
 * VOC/SegmentationClassAug/&lt;name&gt;.png               optional, SBD-augmented labels (grey 0..20, 255)
 * VOC/ImageSets/Segmentation/train_aug.txt          its list (split train_aug)
 * </pre>
 * where VOC is {@code DIR/VOCdevkit/VOC2012}, {@code DIR/VOC2012} or DIR itself (whichever holds
 * JPEGImages). List lines may be a bare name or the "/JPEGImages/x.jpg /SegmentationClassAug/x.png"
 * pair form of the widely shared train_aug.txt: the first token's base name is used.
 * Labels are read as palette indices, never as colours.
 */
public final class VocFiles {
    private VocFiles() {}

    public static final String AUG_SPLIT = "train_aug";

    /** The VOC2012 folder under {@code dir} (see class comment), or a DatasetException saying what is expected. */
    public static Path root(Path dir) {
        for (Path c : List.of(dir.resolve("VOCdevkit").resolve("VOC2012"), dir.resolve("VOC2012"), dir)) {
            if (Files.isDirectory(c.resolve("JPEGImages"))) return c;
        }
        throw LayoutFiles.layout("voc", dir, "expected folder " + dir.resolve("VOCdevkit/VOC2012/JPEGImages")
                + " (from VOCtrainval_11-May-2012.tar; --data may also be VOCdevkit/VOC2012 itself)");
    }

    /** The list files present: split names for {@link #scan}. */
    public static List<String> splits(Path dir) {
        Path lists = root(dir).resolve("ImageSets").resolve("Segmentation");
        return LayoutFiles.files(lists, 1, n -> n.endsWith(".txt")).stream()
                .map(p -> LayoutFiles.stripSuffix(p.getFileName().toString(), ".txt")).toList();
    }

    public static DatasetLayout scan(Path dir, String split) {
        String what = "voc/" + split;
        Path voc = root(dir);
        Path lists = LayoutFiles.requireDir(what, voc.resolve("ImageSets").resolve("Segmentation"), "from VOCtrainval_11-May-2012.tar");
        Path list = lists.resolve(split + ".txt");
        boolean aug = split.equals(AUG_SPLIT);
        if (!Files.isRegularFile(list)) {
            String hint = aug ? "the SBD-augmented list; put train_aug.txt there and the labels in " + voc.resolve("SegmentationClassAug")
                    : "split list; present: " + splits(dir);
            throw LayoutFiles.layout(what, list, "expected file " + list + " (" + hint + ")");
        }
        Path labels = LayoutFiles.requireDir(what, voc.resolve(aug ? "SegmentationClassAug" : "SegmentationClass"),
                aug ? "SegmentationClassAug.zip unpacked into VOC2012/" : "from VOCtrainval_11-May-2012.tar");
        Path images = voc.resolve("JPEGImages");
        LabelMap map = LabelMap.direct(21);
        List<DatasetEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (String name : names(list)) {
            Path img = images.resolve(name + ".jpg"), lab = labels.resolve(name + ".png");
            boolean hasImg = Files.isRegularFile(img), hasLab = Files.isRegularFile(lab);
            if (!hasImg) problems.add(new Problem(Problem.Kind.MISSING_IMAGE, img, "listed in " + list.getFileName() + " but missing"));
            if (!hasLab) problems.add(new Problem(Problem.Kind.MISSING_LABEL, lab, "listed in " + list.getFileName() + " but missing"));
            if (hasImg && hasLab) entries.add(new DatasetEntry(name, img, lab, map));
        }
        if (entries.isEmpty() && problems.isEmpty()) problems.add(new Problem(Problem.Kind.LAYOUT, list, "the list names no images"));
        return new DatasetLayout(what, Palettes.voc(), entries, problems);
    }

    /** Image names of a list file, in file order (first token of each non-blank line, its base name). */
    static List<String> names(Path list) {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(list)) {
                String s = line.strip();
                if (s.isEmpty()) continue;
                String first = s.split("\\s+")[0];
                String base = first.substring(first.lastIndexOf('/') + 1);
                int dot = base.lastIndexOf('.');
                out.add(dot > 0 ? base.substring(0, dot) : base);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(list + ": cannot read the list (" + e.getMessage() + ")", e);
        }
        return out;
    }
}
