package adl.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The dataset readers by their CLI name (datasets/README.md): {@code --dataset NAME --data DIR --split S}.
 * <ul>
 *   <li>cityscapes: splits train, val, test ({@link CityscapesFiles})</li>
 *   <li>voc: train, val, train_aug, or any list in ImageSets/Segmentation ({@link VocFiles})</li>
 *   <li>ade20k: train, val (= training, validation) ({@link Ade20kFiles})</li>
 *   <li>folder: any subfolder of DIR/images ({@link FolderFiles})</li>
 * </ul>
 * The synthetic set has no folder and is made by {@link SyntheticDataset} directly.
 * Every dataset is normalised with {@link Normalization#SYNTHETIC} for now.
 */
public final class Datasets {
    private Datasets() {}

    public static final List<String> NAMES = List.of("cityscapes", "voc", "ade20k", "folder");

    /** The canonical name ("pascal-voc" → "voc", "ade" → "ade20k"); unknown names are an IllegalArgumentException listing {@link #NAMES}. */
    public static String canonical(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cityscapes" -> "cityscapes";
            case "voc", "pascal", "pascal-voc", "pascalvoc" -> "voc";
            case "ade20k", "ade" -> "ade20k";
            case "folder" -> "folder";
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; one of " + String.join(", ", NAMES)
                    + " (synthetic needs no --data)");
        };
    }

    /** The pairs and pairing problems of one split, nothing decoded (a missing folder layout throws). */
    public static DatasetLayout scan(String name, Path dir, String split) {
        return switch (canonical(name)) {
            case "cityscapes" -> CityscapesFiles.scan(dir, split);
            case "voc" -> VocFiles.scan(dir, split);
            case "ade20k" -> Ade20kFiles.scan(dir, split);
            default -> FolderFiles.scan(dir, split);
        };
    }

    /** The splits {@code datasets check} visits when none is named: the standard ones present under {@code dir}. */
    public static List<String> splits(String name, Path dir) {
        return switch (canonical(name)) {
            case "cityscapes" -> List.of("train", "val");
            case "voc" -> VocFiles.splits(dir).contains(VocFiles.AUG_SPLIT) ? List.of("train", "val", VocFiles.AUG_SPLIT) : List.of("train", "val");
            case "ade20k" -> Ade20kFiles.SPLITS;
            default -> FolderFiles.splits(dir);
        };
    }

    /** The class names and colours of a dataset (a folder dataset's from its classes.json). */
    public static Palette palette(String name, Path dir) {
        String n = canonical(name);
        return n.equals("folder") ? FolderFiles.classes(dir) : Palettes.forDataset(n);
    }

    /**
     * One split, ready for training: the up-front checks run here and every problem found is in
     * ONE {@link DatasetException}. {@code resize}: 1 = as stored, 0.5 = half resolution.
     */
    public static FileDataset open(String name, Path dir, String split, double resize) {
        return new FileDataset(scan(name, dir, split), resize, Normalization.SYNTHETIC);
    }
}
