package adl.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors file format (as written by the Hugging Face `safetensors` library and read by
 * PyTorch tooling): an 8-byte little-endian header length, a JSON header mapping each name to
 * {dtype, shape, data_offsets} plus optional string "__metadata__", then the raw little-endian
 * data. Writes are atomic: a temporary file in the same folder, then a rename.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** One stored array: F32, F64 or I64 values (held as doubles/longs on the Java side). */
    public record Entry(String dtype, int[] shape, float[] f32, double[] f64, long[] i64) {
        public static Entry of(int[] shape, float[] values) { return new Entry("F32", shape.clone(), values, null, null); }
        public static Entry of(int[] shape, double[] values) { return new Entry("F64", shape.clone(), null, values, null); }
        public static Entry of(int[] shape, long[] values) { return new Entry("I64", shape.clone(), null, null, values); }

        long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        int elementBytes() { return dtype.equals("F32") ? 4 : 8; }
    }

    /** Writes {@code entries} (in order) and {@code metadata} to {@code file} atomically. */
    public static void write(Path file, Map<String, Entry> entries, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry t = e.getValue();
            long len = t.numel() * t.elementBytes();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype());
            var shape = n.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            var offs = n.putArray("data_offsets");
            offs.add(offset);
            offs.add(offset + len);
            offset += len;
        }
        byte[] head = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (head.length + 7) / 8 * 8;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer pre = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            pre.putLong(padded).put(head);
            while (pre.position() < pre.capacity()) pre.put((byte) ' ');
            pre.flip();
            while (pre.hasRemaining()) ch.write(pre);
            for (Entry t : entries.values()) writeData(ch, t);
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeData(FileChannel ch, Entry t) throws IOException {
        int n = (int) t.numel();
        ByteBuffer b = ByteBuffer.allocate(n * t.elementBytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case "F32" -> b.asFloatBuffer().put(t.f32(), 0, n);
            case "F64" -> b.asDoubleBuffer().put(t.f64(), 0, n);
            default -> b.asLongBuffer().put(t.i64(), 0, n);
        }
        while (b.hasRemaining()) ch.write(b);
    }

    /** A file's entries (in file order) and metadata. */
    public record Contents(Map<String, Entry> entries, Map<String, String> metadata) {}

    /** Reads a safetensors file; fails with the file name on any inconsistency. */
    public static Contents read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) throw new IOException(file + ": not a safetensors file (too short)");
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong();
        if (headerLen <= 0 || 8 + headerLen > all.length) throw new IOException(file + ": corrupt safetensors header length " + headerLen);
        JsonNode header = JSON.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
        int base = 8 + (int) headerLen;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().properties().forEach(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode n = e.getValue();
            String dtype = n.get("dtype").asText();
            int[] shape = new int[n.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = n.get("shape").get(i).asInt();
            long begin = n.get("data_offsets").get(0).asLong(), end = n.get("data_offsets").get(1).asLong();
            if (base + end > all.length || begin > end) throw new IOException(file + ": tensor " + e.getKey() + " lies outside the file (truncated?)");
            ByteBuffer data = ByteBuffer.wrap(all, (int) (base + begin), (int) (end - begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
            long numel = 1;
            for (int d : shape) numel *= d;
            Entry entry = switch (dtype) {
                case "F32" -> { float[] v = new float[(int) numel]; data.asFloatBuffer().get(v); yield Entry.of(shape, v); }
                case "F64" -> { double[] v = new double[(int) numel]; data.asDoubleBuffer().get(v); yield Entry.of(shape, v); }
                case "I64" -> { long[] v = new long[(int) numel]; data.asLongBuffer().get(v); yield Entry.of(shape, v); }
                default -> throw new IOException(file + ": tensor " + e.getKey() + " has unsupported dtype " + dtype);
            };
            if (numel * entry.elementBytes() != end - begin) throw new IOException(file + ": tensor " + e.getKey() + " size does not match its shape");
            entries.put(e.getKey(), entry);
        }
        return new Contents(entries, meta);
    }
}
