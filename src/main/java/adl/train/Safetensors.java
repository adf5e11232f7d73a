package adl.train;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
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

        long numel() { return Safetensors.numel(shape); }

        int elementBytes() { return Safetensors.elementBytes(dtype); }
    }

    /** Elements of a shape. */
    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Bytes per element of a stored dtype (F32, F64, I64). */
    static int elementBytes(String dtype) { return dtype.equals("F32") ? 4 : 8; }

    /** Writes {@code entries} (in order), their digests and {@code metadata} to {@code file} atomically ({@link #writeSources}). */
    public static void write(Path file, Map<String, Entry> entries, Map<String, String> metadata) throws IOException {
        Map<String, Source> sources = new LinkedHashMap<>();
        entries.forEach((name, e) -> sources.put(name, Source.of(e)));
        writeSources(file, sources, metadata);
    }

    /**
     * An entry whose bytes are produced on demand, a slice at a time (e.g. read from a tensor), so
     * that no entry is ever whole on the heap: {@link Values#put} appends the little-endian bytes of
     * elements [start, start + count) of the stated dtype to {@code dst}.
     */
    public record Source(String dtype, int[] shape, Values values) {
        long numel() { return Safetensors.numel(shape); }

        int elementBytes() { return Safetensors.elementBytes(dtype); }

        /** The source of an entry held in arrays. */
        public static Source of(Entry e) {
            return new Source(e.dtype(), e.shape(), (start, count, dst) -> {
                int i = (int) start;
                switch (e.dtype()) {
                    case "F32" -> dst.asFloatBuffer().put(e.f32(), i, count);
                    case "F64" -> dst.asDoubleBuffer().put(e.f64(), i, count);
                    default -> dst.asLongBuffer().put(e.i64(), i, count);
                }
                dst.position(dst.position() + count * e.elementBytes());
            });
        }
    }

    /** Elements [start, start + count) of one entry as little-endian bytes, appended to {@code dst} (which has room). */
    public interface Values {
        void put(long start, int count, ByteBuffer dst);
    }

    /**
     * As {@link #write}, loading each source when its bytes are needed, in one pass: the header goes
     * out first with a placeholder for every digest (each digest is 8 hex digits, so the header's
     * length does not depend on the values), the data follows while the digests are computed, and
     * the header is written again, in place, with the real digests.
     */
    public static void writeSources(Path file, Map<String, Source> entries, Map<String, String> metadata) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        if (metadata != null) metadata.forEach(meta::put);
        for (String name : entries.keySet()) meta.put(digestKey(name), "00000000");
        long offset = 0;
        for (Map.Entry<String, Source> e : entries.entrySet()) {
            Source t = e.getValue();
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
        Path tmp = RunFiles.tempFor(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long headerSize = writeHeader(ch, header, -1);
                boolean first = true;
                for (Map.Entry<String, Source> e : entries.entrySet()) {
                    CRC32C crc = new CRC32C();
                    forEachChunk(e.getValue(), chunk, b -> {
                        crc.update(b.duplicate());
                        while (b.hasRemaining()) ch.write(b);
                    });
                    meta.put(digestKey(e.getKey()), String.format("%08x", crc.getValue()));
                    if (first) slowWriteForTests(file);
                    first = false;
                }
                writeHeader(ch, header, headerSize);
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
     * Writes the 8-byte length and the space-padded JSON header at the start of {@code ch}, streamed
     * through a 64 KB buffer: a search checkpoint's header is about 9 MB (some 40 000 entries),
     * and held whole — as a String, its UTF-8 bytes and a buffer, twice per file — it made 116 MB
     * of humongous arrays at every checkpoint, for which G1 grew the heap by hundreds of MB.
     * {@code expected} ≥ 0: the size it must have (the in-place rewrite). Returns 8 + the padded length.
     */
    private static long writeHeader(FileChannel ch, ObjectNode header, long expected) throws IOException {
        long[] json = {0};
        writeJson(header, new OutputStream() { // counted, not kept
            @Override public void write(int b) { json[0]++; }
            @Override public void write(byte[] b, int off, int len) { json[0] += len; }
        });
        long padded = (json[0] + 7) / 8 * 8;
        if (expected >= 0 && 8 + padded != expected) {
            throw new IllegalStateException("safetensors header changed size from " + expected + " to " + (8 + padded) + " bytes");
        }
        ch.position(0);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16); // not closed: that would close ch
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array();
        out.write(length);
        writeJson(header, out);
        for (long i = json[0]; i < padded; i++) out.write(' ');
        out.flush();
        return 8 + padded;
    }

    /** The header as compact JSON, UTF-8, onto {@code out}, which stays open. */
    private static void writeJson(ObjectNode header, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            JSON.writeTree(g, header);
        }
    }

    /** Bytes per chunk of {@link #write} (a multiple of 8: chunks hold whole elements). */
    static final int CHUNK_BYTES = 1 << 20;

    /** Receives one chunk of an entry's bytes (position 0, limit = bytes in it). */
    private interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** The little-endian bytes of one entry, as stored, in consecutive chunks of at most the chunk buffer's capacity. */
    private static void forEachChunk(Source t, ByteBuffer chunk, ChunkSink sink) throws IOException {
        long n = t.numel();
        int eb = t.elementBytes(), per = chunk.capacity() / eb;
        for (long i = 0; i < n; i += per) {
            int m = (int) Math.min(per, n - i);
            chunk.clear();
            t.values().put(i, m, chunk);
            if (chunk.position() != m * eb) {
                throw new IllegalStateException("safetensors source gave " + chunk.position() + " bytes for elements " + i + ".."
                        + (i + m) + " of a " + t.dtype() + " " + java.util.Arrays.toString(t.shape()) + " entry, expected " + m * eb);
            }
            chunk.flip();
            sink.accept(chunk);
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
