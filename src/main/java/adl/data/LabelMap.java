package adl.data;

import java.util.Arrays;

/**
 * How the values stored in a dataset's label files become class ids: {@code lut[raw]} is a class
 * id 0..n−1, {@link Sample#IGNORE}, or −1 for a value the format never contains (an error).
 * Label files are 8-bit, so raw values ≥ 256 are always invalid.
 */
public record LabelMap(String description, int[] lut) {
    public LabelMap {
        if (lut.length != 256) throw new IllegalArgumentException("label lookup table needs 256 entries, got " + lut.length);
        lut = lut.clone();
    }

    /** Class id of a raw value, IGNORE, or −1 when the value is invalid. */
    public int classId(int raw) { return raw >= 0 && raw < 256 ? lut[raw] : -1; }

    public boolean valid(int raw) { return classId(raw) >= 0; }

    /** Values 0..n−1 are class ids, 255 is ignore (VOC palette indices, folder labels, Cityscapes labelTrainIds). */
    public static LabelMap direct(int numClasses) {
        if (numClasses < 1 || numClasses > 255) throw new IllegalArgumentException("class count " + numClasses + " outside 1..255");
        int[] t = new int[256];
        Arrays.fill(t, -1);
        for (int c = 0; c < numClasses; c++) t[c] = c;
        t[Sample.IGNORE] = Sample.IGNORE;
        return new LabelMap("class ids 0.." + (numClasses - 1) + " or 255 (ignore)", t);
    }

    /**
     * Cityscapes {@code *_gtFine_labelIds.png}: label ids 0..33 → the 19 train ids of
     * cityscapesScripts' labels.py ({@link Palettes#cityscapesTrainId}), ids not evaluated → 255.
     * 255 is accepted as ignore too (uint8 wrap of the license plate's id −1).
     */
    public static LabelMap cityscapesLabelIds() {
        int[] t = new int[256];
        Arrays.fill(t, -1);
        for (int id = 0; id <= 33; id++) t[id] = Palettes.cityscapesTrainId(id);
        t[255] = Sample.IGNORE;
        return new LabelMap("Cityscapes label ids 0..33 (or 255)", t);
    }

    /** ADE20K SceneParsing: 0 (“other”) → ignore, 1..150 → class ids 0..149. */
    public static LabelMap ade20k() {
        int[] t = new int[256];
        Arrays.fill(t, -1);
        t[0] = Sample.IGNORE;
        for (int v = 1; v <= 150; v++) t[v] = v - 1;
        return new LabelMap("ADE20K values 0 (ignore) or 1..150", t);
    }
}
