package adl.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code classes.json} of a folder dataset (datasets/folder.md): class id = position in the list.
 * <pre>{@code
 * { "classes": [ {"name": "background", "color": [0, 0, 0]},
 *                {"name": "road", "color": [128, 64, 128]},
 *                {"name": "car"},            // no colour: one from Palettes.distinct
 *                "tree" ] }                  // a bare string is a name without colour
 * }</pre>
 * Class ids 0..n−1 must be below 255 (255 is the ignore label). Names must be unique and non-empty.
 * A class without a colour gets {@code Palettes.distinct(n)[id]}.
 */
public final class ClassesJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClassesJson() {}

    /** Reads {@code file}; any problem is an IOException whose one-line message names the file. */
    public static Palette read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": classes file not found");
        }
        try {
            return parse(text);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    /** Parses the JSON text; a malformed structure is an IllegalArgumentException saying which entry. */
    public static Palette parse(String text) throws JsonProcessingException {
        JsonNode root = JSON.readTree(text);
        JsonNode list = root == null ? null : root.get("classes");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("expected {\"classes\": [{\"name\": ..., \"color\": [r, g, b]}, ...]} with at least one class");
        }
        if (list.size() > 255) throw new IllegalArgumentException(list.size() + " classes; at most 255 (label 255 means ignore)");
        int n = list.size();
        int[][] fallback = Palettes.distinct(n);
        List<String> names = new ArrayList<>();
        int[][] colors = new int[n][];
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < n; c++) {
            JsonNode e = list.get(c);
            JsonNode name = e.isTextual() ? e : e.get("name");
            if (name == null || !name.isTextual() || name.asText().isBlank()) {
                throw new IllegalArgumentException("class " + c + ": needs a non-empty \"name\"");
            }
            String nm = name.asText().strip();
            if (!seen.add(nm)) throw new IllegalArgumentException("class " + c + ": name '" + nm + "' used twice");
            names.add(nm);
            JsonNode color = e.isObject() ? e.get("color") : null;
            colors[c] = color == null || color.isNull() ? fallback[c] : rgb(color, c, nm);
        }
        return new Palette(names, colors);
    }

    private static int[] rgb(JsonNode color, int c, String name) {
        if (!color.isArray() || color.size() != 3) {
            throw new IllegalArgumentException("class " + c + " (" + name + "): \"color\" must be [r, g, b], got " + color);
        }
        int[] v = new int[3];
        for (int k = 0; k < 3; k++) {
            JsonNode x = color.get(k);
            if (!x.isIntegralNumber() || x.asInt() < 0 || x.asInt() > 255) {
                throw new IllegalArgumentException("class " + c + " (" + name + "): colour values must be integers 0..255, got " + color);
            }
            v[k] = x.asInt();
        }
        return v;
    }
}
