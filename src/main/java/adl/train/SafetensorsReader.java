package adl.train;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a safetensors file and validates everything it claims before allocating for it
 * (docs/07-guarantees.md): the header length fits the file; the header is well-formed JSON, an
 * object whose names are unique; every tensor has a known dtype, a shape of non-negative sizes
 * whose element count fits one Java array, and data_offsets [begin, end] inside the data section
 * whose length equals count × element size; the ranges are in order and do not overlap; the
 * tensors together fit the Java heap; and each tensor's bytes match their CRC32C digest when the
 * file stores digests. Every failure is an IOException with one line naming the file and the
 * tensor.
 */
final class SafetensorsReader {
    /** A header larger than this is refused (ours are a few hundred KB). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** The largest Java array (elements of a tensor, and bytes of one tensor's read). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Map<String, Integer> ELEMENT_BYTES = Map.of("F32", 4, "F64", 8, "I64", 8);

    private SafetensorsReader() {}

    /** One tensor as the header describes it, validated. */
    private record Spec(String name, String dtype, int[] shape, long begin, long end) {}

    static Safetensors.Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        } catch (EOFException e) {
            throw new IOException(file + ": the file ended early (truncated?)");
        }
    }

    private static Safetensors.Contents read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw bad(file, "not a safetensors file (" + size + " bytes, too short)");
        long headerLen = readAt(ch, 0, 8).getLong();
        if (headerLen <= 0 || headerLen > size - 8) {
            throw bad(file, "corrupt header length " + headerLen + " (the file has " + size + " bytes; truncated or not a safetensors file?)");
        }
        if (headerLen > MAX_HEADER_BYTES) throw bad(file, "header of " + headerLen + " bytes is larger than the " + MAX_HEADER_BYTES + " allowed");
        ByteBuffer headBytes = readAt(ch, 8, (int) headerLen);
        JsonNode header;
        try {
            header = STRICT.readTree(new String(headBytes.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                    ? "a tensor name appears twice in the header" : "the header is not valid JSON";
            throw bad(file, why + " (corrupt file?)");
        }
        if (header == null || !header.isObject()) throw bad(file, "the header is not a JSON object (corrupt file?)");
        long dataLen = size - 8 - headerLen;
        Map<String, String> meta = new LinkedHashMap<>();
        List<Spec> specs = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals("__metadata__")) metadata(file, e.getValue(), meta);
            else specs.add(spec(file, e.getKey(), e.getValue(), dataLen));
        }
        checkRanges(file, specs);
        boolean verified = checkDigestKeys(file, specs, meta);
        checkHeap(file, specs);
        Map<String, Safetensors.Entry> entries = new LinkedHashMap<>();
        long base = 8 + headerLen;
        for (Spec s : specs) {
            ByteBuffer data = readAt(ch, base + s.begin(), (int) (s.end() - s.begin()));
            if (verified) {
                String want = meta.get(Safetensors.digestKey(s.name())), got = Safetensors.crc32c(data);
                if (!want.equalsIgnoreCase(got)) {
                    throw bad(file, "tensor '" + s.name() + "' fails its checksum (CRC32C " + got + ", stored " + want + "): the file is damaged");
                }
            }
            entries.put(s.name(), entry(s, data));
        }
        return new Safetensors.Contents(entries, meta, verified);
    }

    private static void metadata(Path file, JsonNode m, Map<String, String> out) throws IOException {
        if (!m.isObject()) throw bad(file, "__metadata__ is not a JSON object");
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            if (!e.getValue().isTextual()) throw bad(file, "__metadata__ entry '" + e.getKey() + "' is not a string");
            out.put(e.getKey(), e.getValue().asText());
        }
    }

    private static Spec spec(Path file, String name, JsonNode n, long dataLen) throws IOException {
        String t = "tensor '" + name + "'";
        if (!n.isObject()) throw bad(file, t + " is not described by a JSON object");
        JsonNode dtype = n.get("dtype"), shape = n.get("shape"), offs = n.get("data_offsets");
        if (dtype == null || shape == null || offs == null) throw bad(file, t + " lacks dtype, shape or data_offsets");
        if (!dtype.isTextual() || !ELEMENT_BYTES.containsKey(dtype.asText())) {
            throw bad(file, t + " has dtype " + dtype + " (supported: F32, F64, I64)");
        }
        if (!shape.isArray()) throw bad(file, t + " has a shape that is not a list: " + shape);
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw bad(file, t + " has shape " + shape + ": sizes must be whole numbers from 0 to " + Integer.MAX_VALUE);
            }
            dims[i] = d.asInt();
        }
        long numel = numel(dims);
        if (numel > MAX_ELEMENTS) throw bad(file, t + " has shape " + shape + ": more values than one array can hold (at most " + MAX_ELEMENTS + ")");
        if (!offs.isArray() || offs.size() != 2 || !offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber()
                || !offs.get(0).canConvertToLong() || !offs.get(1).canConvertToLong()) {
            throw bad(file, t + " has data_offsets " + offs + " (want [begin, end])");
        }
        long begin = offs.get(0).asLong(), end = offs.get(1).asLong();
        if (begin < 0 || end < begin) throw bad(file, t + " has data_offsets " + offs + ": not a range");
        if (end > dataLen) throw bad(file, t + " has data_offsets " + offs + " beyond the " + dataLen + " data bytes (truncated?)");
        long bytes = numel * ELEMENT_BYTES.get(dtype.asText());
        if (bytes > MAX_ELEMENTS) throw bad(file, t + " has shape " + shape + " " + dtype.asText() + " = " + bytes + " bytes, more than one read can hold (2 GB)");
        if (bytes != end - begin) {
            throw bad(file, t + " has shape " + shape + " " + dtype.asText() + " = " + bytes + " bytes, but data_offsets " + offs + " hold " + (end - begin));
        }
        return new Spec(name, dtype.asText(), dims, begin, end);
    }

    /** The ranges, in header order, must not go backwards or overlap. */
    private static void checkRanges(Path file, List<Spec> specs) throws IOException {
        List<Spec> sorted = new ArrayList<>(specs);
        sorted.sort(Comparator.comparingLong(Spec::begin).thenComparingLong(Spec::end));
        for (int i = 1; i < sorted.size(); i++) {
            Spec a = sorted.get(i - 1), b = sorted.get(i);
            if (b.begin() < a.end()) throw bad(file, "tensors '" + a.name() + "' and '" + b.name() + "' overlap in the data section");
        }
        for (int i = 1; i < specs.size(); i++) {
            if (specs.get(i).begin() < specs.get(i - 1).end()) {
                throw bad(file, "tensor '" + specs.get(i).name() + "' lies before the tensor listed ahead of it (out of order)");
            }
        }
    }

    /** True when every tensor has a digest; false when none has; an error for a partial or stray set. */
    private static boolean checkDigestKeys(Path file, List<Spec> specs, Map<String, String> meta) throws IOException {
        Set<String> names = new java.util.HashSet<>();
        for (Spec s : specs) names.add(s.name());
        int digests = 0;
        for (String k : meta.keySet()) {
            if (!k.startsWith(Safetensors.DIGEST_PREFIX)) continue;
            String name = k.substring(Safetensors.DIGEST_PREFIX.length());
            if (!names.contains(name)) throw bad(file, "a checksum names tensor '" + name + "', which the file does not hold");
            if (!meta.get(k).matches("[0-9a-fA-F]{8}")) throw bad(file, "the checksum of tensor '" + name + "' is not 8 hex digits: " + meta.get(k));
            digests++;
        }
        if (digests == 0) return false;
        for (Spec s : specs) {
            if (!meta.containsKey(Safetensors.digestKey(s.name()))) throw bad(file, "tensor '" + s.name() + "' has no checksum while the others have");
        }
        return true;
    }

    /** The tensors' arrays must fit in the heap that is free now (with a margin). */
    private static void checkHeap(Path file, List<Spec> specs) throws IOException {
        long need = 0;
        for (Spec s : specs) need += s.end() - s.begin();
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free / 4 * 3) {
            throw bad(file, "its tensors need " + mb(need) + " MB but the Java heap has about " + mb(free) + " MB free (limit " + mb(rt.maxMemory())
                    + " MB); give Java more memory, e.g. ADL_JAVA_OPTS=-Xmx" + Math.max(2, (need * 3 / (1L << 30)) + 1) + "g");
        }
    }

    /** The element count of {@code dims}, or {@code MAX_ELEMENTS + 1} when it exceeds that. */
    static long numel(int[] dims) {
        long n = 1;
        for (int d : dims) if (d == 0) return 0;
        for (int d : dims) {
            n *= d; // d <= 2^31 and n <= MAX_ELEMENTS before: no overflow
            if (n > MAX_ELEMENTS) return MAX_ELEMENTS + 1;
        }
        return n;
    }

    private static long mb(long bytes) { return bytes >> 20; }

    private static Safetensors.Entry entry(Spec s, ByteBuffer data) {
        int n = (int) ((s.end() - s.begin()) / ELEMENT_BYTES.get(s.dtype()));
        data.order(ByteOrder.LITTLE_ENDIAN);
        return switch (s.dtype()) {
            case "F32" -> { float[] v = new float[n]; data.asFloatBuffer().get(v); yield Safetensors.Entry.of(s.shape(), v); }
            case "F64" -> { double[] v = new double[n]; data.asDoubleBuffer().get(v); yield Safetensors.Entry.of(s.shape(), v); }
            default -> { long[] v = new long[n]; data.asLongBuffer().get(v); yield Safetensors.Entry.of(s.shape(), v); }
        };
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) throw new EOFException();
        }
        return b.flip();
    }

    private static IOException bad(Path file, String why) { return new IOException(file + ": " + why); }
}
