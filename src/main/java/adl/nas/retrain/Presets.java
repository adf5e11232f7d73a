package adl.nas.retrain;

import adl.nas.Architecture;
import adl.nas.CellEdge;
import adl.nas.Primitive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's networks (§5.2, Table 2): the searched cell and path of docs/04-decoding.md §5 with
 * F = 20 / 32 / 48 for auto-deeplab-s / -m / -l.
 */
public final class Presets {
    private Presets() {}

    /** The paper's path: level of layers 1..12. */
    public static final int[] PAPER_PATH = {0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1};

    /**
     * The paper's cell (two entries per block, docs/04-decoding.md §5): block0 = dil_conv_5x5(1) + sep_conv_3x3(0),
     * block1 = sep_conv_3x3(1) + dil_conv_3x3(0), block2 = sep_conv_3x3(3) + sep_conv_3x3(1),
     * block3 = sep_conv_5x5(4) + sep_conv_5x5(2), block4 = sep_conv_5x5(3) + dil_conv_5x5(5).
     */
    public static final List<CellEdge> PAPER_CELL = List.of(
            edge(Primitive.DIL_CONV_5X5, 1), edge(Primitive.SEP_CONV_3X3, 0),
            edge(Primitive.SEP_CONV_3X3, 1), edge(Primitive.DIL_CONV_3X3, 0),
            edge(Primitive.SEP_CONV_3X3, 3), edge(Primitive.SEP_CONV_3X3, 1),
            edge(Primitive.SEP_CONV_5X5, 4), edge(Primitive.SEP_CONV_5X5, 2),
            edge(Primitive.SEP_CONV_5X5, 3), edge(Primitive.DIL_CONV_5X5, 5));

    private static final Map<String, Integer> FILTERS = new LinkedHashMap<>();

    static {
        FILTERS.put("auto-deeplab-s", 20);
        FILTERS.put("auto-deeplab-m", 32);
        FILTERS.put("auto-deeplab-l", 48);
    }

    private static CellEdge edge(Primitive op, int input) { return new CellEdge(op, input); }

    public static List<String> names() { return List.copyOf(FILTERS.keySet()); }

    /** The preset's architecture (cell, path, F), or null when {@code name} is no preset. */
    public static Architecture byName(String name) {
        Integer f = FILTERS.get(name);
        return f == null ? null : new Architecture(PAPER_CELL, PAPER_PATH, f);
    }

    /**
     * A preset name or an architecture.json file.
     *
     * @throws IllegalArgumentException naming the presets when {@code spec} is neither, or the file's problem
     */
    public static Architecture resolve(String spec) {
        Architecture preset = byName(spec);
        if (preset != null) return preset;
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("unknown architecture '" + spec + "': not a preset (" + String.join(", ", names())
                    + ") and no such file");
        }
        try {
            return Architecture.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
