package adl.data;

import java.awt.Color;
import java.util.Locale;

/**
 * The class names and official colour tables of the supported datasets (datasets/README.md; docs/10-run-directory.md):
 * <ul>
 *   <li>Cityscapes: the 19 train ids of cityscapesScripts {@code helpers/labels.py}, with its colours;
 *       {@link #cityscapesTrainId} maps the 34 label ids of {@code *_gtFine_labelIds.png} to them.</li>
 *   <li>PASCAL VOC 2012: 21 classes (0 = background), the devkit's bit-interleaved colour map
 *       ({@link #vocColor}); the same colours its palette PNGs use.</li>
 *   <li>ADE20K (SceneParsing, 150 classes, ids 0..149 = annotation values 1..150): the palette of
 *       the SceneParsing toolkit as mmsegmentation's {@code ADE20KDataset} lists it ({@link Ade20kPalette}).</li>
 *   <li>synthetic: {@link SyntheticDataset}'s own table.</li>
 *   <li>folder: {@link ClassesJson} (colours from classes.json, missing ones from {@link #distinct}).</li>
 * </ul>
 */
public final class Palettes {
    private Palettes() {}

    private static final String[] CITYSCAPES_NAMES = {
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
        "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle"};
    private static final int[][] CITYSCAPES_COLORS = {
        {128, 64, 128}, {244, 35, 232}, {70, 70, 70}, {102, 102, 156}, {190, 153, 153}, {153, 153, 153}, {250, 170, 30},
        {220, 220, 0}, {107, 142, 35}, {152, 251, 152}, {70, 130, 180}, {220, 20, 60}, {255, 0, 0}, {0, 0, 142},
        {0, 0, 70}, {0, 60, 100}, {0, 80, 100}, {0, 0, 230}, {119, 11, 32}};
    /** labels.py: label id 0..33 → train id (255 = not evaluated). */
    private static final int[] CITYSCAPES_TRAIN_ID = {
        255, 255, 255, 255, 255, 255, 255, 0, 1, 255, 255, 2, 3, 4, 255, 255, 255, 5, 255, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        255, 255, 16, 17, 18};

    private static final String[] VOC_NAMES = {
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
        "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"};

    public static Palette cityscapes() { return Palette.of(CITYSCAPES_NAMES, CITYSCAPES_COLORS); }

    public static Palette voc() {
        int[][] colors = new int[VOC_NAMES.length][];
        for (int c = 0; c < colors.length; c++) colors[c] = vocColor(c);
        return Palette.of(VOC_NAMES, colors);
    }

    public static Palette ade20k() { return Palette.of(Ade20kPalette.NAMES, Ade20kPalette.COLORS); }

    public static Palette synthetic() {
        SyntheticDataset d = new SyntheticDataset("palette", 1, 8, 8, 0);
        return new Palette(d.classes(), d.palette());
    }

    /** The palette of a built-in dataset by its CLI name: cityscapes, voc, ade20k, synthetic. */
    public static Palette forDataset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cityscapes" -> cityscapes();
            case "voc", "pascal", "pascal-voc", "pascalvoc" -> voc();
            case "ade20k", "ade" -> ade20k();
            case "synthetic" -> synthetic();
            default -> throw new IllegalArgumentException("no built-in palette for dataset '" + name
                    + "' (cityscapes, voc, ade20k, synthetic; a folder dataset reads classes.json)");
        };
    }

    /** Cityscapes label id (gtFine labelIds) → train id 0..18, or 255 for ids not evaluated (and for -1 or ids above 33). */
    public static int cityscapesTrainId(int labelId) {
        return labelId >= 0 && labelId < CITYSCAPES_TRAIN_ID.length ? CITYSCAPES_TRAIN_ID[labelId] : 255;
    }

    /**
     * PASCAL VOC devkit colour of index i (0..255): bit k of the index's bit triples goes to bit
     * 7−k of r, g, b (VOCdevkit {@code labelcolormap.m}); 1 → (128, 0, 0), 255 → (224, 224, 192).
     */
    public static int[] vocColor(int i) {
        if (i < 0 || i > 255) throw new IllegalArgumentException("VOC colour map index " + i + " outside 0..255");
        int r = 0, g = 0, b = 0, id = i;
        for (int k = 0; k < 8; k++) {
            r |= ((id) & 1) << (7 - k);
            g |= ((id >> 1) & 1) << (7 - k);
            b |= ((id >> 2) & 1) << (7 - k);
            id >>= 3;
        }
        return new int[] {r, g, b};
    }

    /**
     * n deterministic, visually distinct colours (for classes without a colour): hues stepped by
     * the golden angle, saturation and brightness alternating, never black (black is the ignore colour).
     */
    public static int[][] distinct(int n) {
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            float hue = (float) ((i * 0.6180339887498949) % 1.0);
            float sat = (i & 1) == 0 ? 0.75f : 0.55f;
            float val = (i / 2 & 1) == 0 ? 0.95f : 0.75f;
            int rgb = Color.HSBtoRGB(hue, sat, val);
            out[i] = new int[] {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
        }
        return out;
    }
}
