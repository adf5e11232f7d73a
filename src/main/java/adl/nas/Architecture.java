package adl.nas;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded Auto-DeepLab architecture (docs/04-decoding.md §5), the content of architecture.json:
 * the cell (2 edges per block, each an op and the state it reads) and the network-level path
 * ({@code path[l − 1]} = level of layer l), plus the filter multiplier F.
 */
public record Architecture(List<CellEdge> cell, int[] path, int filterMultiplier) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Architecture {
        cell = List.copyOf(cell);
        path = path.clone();
        validate(cell, path);
        if (filterMultiplier < 1) throw new IllegalArgumentException("filter_multiplier must be >= 1, got " + filterMultiplier);
    }

    /** Number of blocks B (2 cell entries per block). */
    public int blocks() { return cell.size() / 2; }

    public int layers() { return path.length; }

    private static void validate(List<CellEdge> cell, int[] path) {
        if (cell.isEmpty() || cell.size() % 2 != 0) {
            throw new IllegalArgumentException("an architecture cell needs 2 entries per block, got " + cell.size());
        }
        for (int i = 0; i < cell.size(); i++) {
            CellEdge e = cell.get(i);
            int block = i / 2;
            if (e.op().isZero()) throw new IllegalArgumentException("cell entry " + i + " uses the zero op '" + e.op() + "'");
            if (e.input() < 0 || e.input() >= 2 + block) {
                throw new IllegalArgumentException("cell entry " + i + " (block " + block + ") reads state " + e.input()
                        + "; block " + block + " can read states 0.." + (1 + block));
            }
        }
        if (path.length == 0) throw new IllegalArgumentException("an architecture path needs at least one layer, got []");
        int prev = 0;
        for (int l = 0; l < path.length; l++) {
            int v = path[l];
            if (v < 0 || v >= TrellisLayout.LEVELS || v > l + 1 || Math.abs(v - prev) > 1) {
                throw new IllegalArgumentException("path level " + v + " at layer " + (l + 1) + " is not reachable from level " + prev);
            }
            prev = v;
        }
    }

    /** The JSON form, exactly the schema of docs/04-decoding.md §5. */
    private record Json(@JsonProperty("cell") List<JsonEdge> cell, @JsonProperty("path") int[] path,
                        @JsonProperty("filter_multiplier") int filterMultiplier) {}

    private record JsonEdge(@JsonProperty("op") String op, @JsonProperty("input") int input) {}

    public String toJson() {
        List<JsonEdge> edges = new ArrayList<>();
        for (CellEdge e : cell) edges.add(new JsonEdge(e.op().paperName(), e.input()));
        try {
            return JSON.writeValueAsString(new Json(edges, path, filterMultiplier));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads architecture.json whose ops are the paper's ({@link SearchSpace#PAPER}). */
    public static Architecture fromJson(String text) { return fromJson(text, SearchSpace.PAPER); }

    /** Reads architecture.json whose ops are named in {@code space}. */
    public static Architecture fromJson(String text, SearchSpace space) {
        try {
            Json j = JSON.readValue(text, Json.class);
            if (j.cell() == null || j.path() == null) throw new IllegalArgumentException("architecture JSON needs 'cell' and 'path'");
            List<CellEdge> edges = new ArrayList<>();
            for (JsonEdge e : j.cell()) edges.add(new CellEdge(space.byName(e.op()), e.input()));
            return new Architecture(edges, j.path(), j.filterMultiplier());
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b).orElse(null);
            throw new IllegalArgumentException("not a valid architecture JSON: " + (field == null
                    ? "want an object {\"cell\": [...], \"path\": [...], \"filter_multiplier\": F}" : "field '" + field + "' has the wrong type"), e);
        } catch (IOException e) {
            var loc = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getLocation() : null;
            throw new IllegalArgumentException("not valid JSON" + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : ""), e);
        }
    }

    public void write(Path file) throws IOException { Files.writeString(file, toJson() + "\n"); }

    public static Architecture read(Path file) throws IOException { return fromJson(Files.readString(file)); }

    /** The cell as readable text, one block per line. */
    public String describeCell() {
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < blocks(); b++) {
            CellEdge x = cell.get(2 * b), y = cell.get(2 * b + 1);
            sb.append("block ").append(b).append(" = ").append(x.op()).append("(state ").append(x.input()).append(") + ")
              .append(y.op()).append("(state ").append(y.input()).append(")\n");
        }
        return sb.toString();
    }

    @Override public boolean equals(Object o) {
        return o instanceof Architecture a && a.cell.equals(cell) && java.util.Arrays.equals(a.path, path) && a.filterMultiplier == filterMultiplier;
    }

    @Override public int hashCode() { return cell.hashCode() * 31 + java.util.Arrays.hashCode(path) + filterMultiplier; }

    @Override public String toString() { return toJson(); }
}
