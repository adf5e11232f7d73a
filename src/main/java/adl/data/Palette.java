package adl.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The classes of a dataset with one RGB colour each: {@code names.get(c)} and
 * {@code colors[c] = {r, g, b}} (0..255) belong to class id c. The ignore label (255) has no
 * entry; mask writers draw it in their own documented colour.
 */
public record Palette(List<String> names, int[][] colors) {
    public Palette {
        names = List.copyOf(names);
        if (names.size() != colors.length) {
            throw new IllegalArgumentException(names.size() + " class names but " + colors.length + " colours");
        }
        int[][] copy = new int[colors.length][];
        for (int c = 0; c < colors.length; c++) {
            int[] rgb = colors[c];
            if (rgb == null || rgb.length != 3) throw new IllegalArgumentException("class " + c + " (" + names.get(c) + "): colour must be [r, g, b]");
            for (int v : rgb) {
                if (v < 0 || v > 255) throw new IllegalArgumentException("class " + c + " (" + names.get(c) + "): colour value " + v + " outside 0..255");
            }
            copy[c] = rgb.clone();
        }
        colors = copy;
    }

    public int size() { return names.size(); }

    /** The colour of class c as 0xRRGGBB. */
    public int rgb(int c) {
        int[] v = colors[c];
        return (v[0] << 16) | (v[1] << 8) | v[2];
    }

    /** A defensive copy of the colour table, in the {@code Dataset.palette()} form. */
    @Override public int[][] colors() {
        int[][] out = new int[colors.length][];
        for (int c = 0; c < colors.length; c++) out[c] = colors[c].clone();
        return out;
    }

    /** Palette from parallel lists (convenience for tables written as rows). */
    static Palette of(String[] names, int[][] colors) { return new Palette(new ArrayList<>(List.of(names)), colors); }
}
