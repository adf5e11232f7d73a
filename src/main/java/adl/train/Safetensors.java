package adl.train;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The safetensors file format (as written by the Hugging Face `safetensors` library and read by
 * PyTorch tooling): an 8-byte little-endian header length, a JSON header mapping each name to
 * {dtype, shape, data_offsets} plus optional string "__metadata__", then the raw little-endian
 * data. Writes are atomic: a temporary file in the same folder, then a rename. Every tensor's
 * CRC32C is stored in the metadata as {@code "crc32c.NAME": "hex"} (string to string, as the format
 * allows: PyTorch's loaders ignore it) and checked by {@link #read}.
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

    /** Writes {@code entries} (in order), their digests and {@code metadata} to {@code file} atomically. */
    public static void write(Path file, Map<String, Entry> entries, Map<String, String> metadata) throws IOException {
        Map<String, ByteBuffer> data = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) data.put(e.getKey(), bytes(e.getValue()));
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        if (metadata != null) metadata.forEach(meta::put);
        data.forEach((name, b) -> meta.put(digestKey(name), crc32c(b)));
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
        Path tmp = RunFiles.tempFor(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer pre = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                pre.putLong(padded).put(head);
                while (pre.position() < pre.capacity()) pre.put((byte) ' ');
                pre.flip();
                while (pre.hasRemaining()) ch.write(pre);
                boolean first = true;
                for (ByteBuffer b : data.values()) {
                    writeData(ch, b);
                    if (first) slowWriteForTests(file);
                    first = false;
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw IoErrors.writing(file, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Test hook: a pause of -Dadl.test.slowWriteMs after the first tensor's bytes of a file whose name
     * contains -Dadl.test.slowWriteName, to kill a process in the middle of that write. Off unless set.
     */
    private static final long SLOW_WRITE_MS = Long.getLong("adl.test.slowWriteMs", 0);
    private static final String SLOW_WRITE_NAME = System.getProperty("adl.test.slowWriteName", "");

    private static void slowWriteForTests(Path file) {
        if (SLOW_WRITE_MS <= 0 || !file.getFileName().toString().contains(SLOW_WRITE_NAME)) return;
        try {
            Thread.sleep(SLOW_WRITE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeData(FileChannel ch, ByteBuffer b) throws IOException {
        b = b.duplicate();
        while (b.hasRemaining()) ch.write(b);
    }

    /** The little-endian bytes of one entry, as stored. */
    private static ByteBuffer bytes(Entry t) {
        int n = (int) t.numel();
        ByteBuffer b = ByteBuffer.allocate(n * t.elementBytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case "F32" -> b.asFloatBuffer().put(t.f32(), 0, n);
            case "F64" -> b.asDoubleBuffer().put(t.f64(), 0, n);
            default -> b.asLongBuffer().put(t.i64(), 0, n);
        }
        return b;
    }

    /**
     * A file's entries (in file order) and metadata; {@code verified}: every tensor's bytes matched
     * the CRC32C digest stored for it (false: the file has no digests, e.g. one of an older run).
     */
    public record Contents(Map<String, Entry> entries, Map<String, String> metadata, boolean verified) {}

    /** Reads and validates a safetensors file before allocating anything; see {@link SafetensorsReader}. */
    public static Contents read(Path file) throws IOException { return SafetensorsReader.read(file); }

    /** The metadata key of tensor {@code name}'s digest: {@code crc32c.NAME}, 8 lower-case hex digits. */
    static String digestKey(String name) { return DIGEST_PREFIX + name; }

    static final String DIGEST_PREFIX = "crc32c.";

    /** CRC32C (Castagnoli) of {@code bytes} as 8 lower-case hex digits. */
    static String crc32c(ByteBuffer bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes.duplicate());
        return String.format("%08x", c.getValue());
    }
}
