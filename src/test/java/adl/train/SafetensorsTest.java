package adl.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir Path dir;

    @Test void roundTripKeepsNamesOrderValuesAndMetadata() throws IOException {
        Map<String, Safetensors.Entry> m = new LinkedHashMap<>();
        m.put("stem.0.weight", Safetensors.Entry.of(new int[] {2, 3}, new float[] {1, -2, 3.5f, 4, 5, 6}));
        m.put("arch.alpha", Safetensors.Entry.of(new int[] {2}, new double[] {1e-3, -2e-3}));
        m.put("step", Safetensors.Entry.of(new int[] {1}, new long[] {42}));
        Path f = dir.resolve("ckpt.safetensors");
        Safetensors.write(f, m, Map.of("format", "pt"));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(java.util.List.of("stem.0.weight", "arch.alpha", "step"), java.util.List.copyOf(c.entries().keySet()));
        assertArrayEquals(new float[] {1, -2, 3.5f, 4, 5, 6}, c.entries().get("stem.0.weight").f32());
        assertArrayEquals(new double[] {1e-3, -2e-3}, c.entries().get("arch.alpha").f64());
        assertArrayEquals(new long[] {42}, c.entries().get("step").i64());
        assertEquals("pt", c.metadata().get("format"));
        try (var s = Files.list(dir)) { assertEquals(1, s.count(), "no temporary file left behind"); }
    }

    @Test void layoutFollowsTheSpec() throws IOException {
        Path f = dir.resolve("x.safetensors");
        Safetensors.write(f, Map.of("w", Safetensors.Entry.of(new int[] {2}, new float[] {1.5f, -1})), Map.of());
        byte[] b = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8).trim();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, 8 + (int) n, 8);
        assertEquals("{\"__metadata__\":{\"crc32c.w\":\"" + String.format("%08x", crc.getValue()) + "\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header);
        assertEquals(1.5f, bb.getFloat(8 + (int) n));
        assertEquals(-1f, bb.getFloat(12 + (int) n));
    }

    /** Entries longer than the writer's chunk buffer: bytes and digests as if written in one piece (CRC32C of the whole data block, computed here). */
    @Test void entriesSpanningSeveralChunksKeepTheirBytesAndDigests() throws IOException {
        int n = Safetensors.CHUNK_BYTES / 4 * 2 + 13;   // two whole chunks and a tail
        float[] f = new float[n];
        double[] d = new double[Safetensors.CHUNK_BYTES / 8 + 5];
        for (int i = 0; i < n; i++) f[i] = i * 0.5f - 7;
        for (int i = 0; i < d.length; i++) d[i] = -i / 3.0;
        Path p = dir.resolve("big.safetensors");
        Map<String, Safetensors.Entry> m = new LinkedHashMap<>();
        m.put("f", Safetensors.Entry.of(new int[] {n}, f));
        m.put("d", Safetensors.Entry.of(new int[] {d.length}, d));
        Safetensors.write(p, m, Map.of());
        Safetensors.Contents c = Safetensors.read(p);
        assertTrue(c.verified());
        assertArrayEquals(f, c.entries().get("f").f32());
        assertArrayEquals(d, c.entries().get("d").f64());
        byte[] b = Files.readAllBytes(p);
        long h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, 8 + (int) h, n * 4);
        assertEquals(String.format("%08x", crc.getValue()), c.metadata().get("crc32c.f"));
    }

    @Test void aSourceThatGivesFewerBytesThanItDeclaredIsRefused() {
        Map<String, Safetensors.Source> m = Map.of("w", new Safetensors.Source("F32", new int[] {3}, (start, count, dst) -> dst.putFloat(1f)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Safetensors.writeSources(dir.resolve("s.safetensors"), m, Map.of()));
        assertTrue(e.getMessage().contains("gave 4 bytes for elements 0..3 of a F32 [3] entry, expected 12"), e.getMessage());
        try (var s = Files.list(dir)) { assertEquals(0, s.count(), "no temporary file left behind"); } catch (IOException x) { throw new AssertionError(x); }
    }

    /** A source read a slice at a time gives the file an array-held entry gives. */
    @Test void slicedSourcesWriteTheSameBytesAsArrays() throws IOException {
        int n = Safetensors.CHUNK_BYTES / 4 + 3;
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) Math.sin(i);
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        Safetensors.write(a, Map.of("w", Safetensors.Entry.of(new int[] {n}, f)), Map.of());
        java.util.List<Long> starts = new java.util.ArrayList<>();
        Safetensors.writeSources(b, Map.of("w", new Safetensors.Source("F32", new int[] {n}, (start, count, dst) -> {
            starts.add(start);
            for (int i = 0; i < count; i++) dst.putFloat(f[(int) start + i]);
        })), Map.of());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertEquals(java.util.List.of(0L, (long) Safetensors.CHUNK_BYTES / 4), starts, "one call per chunk, in order");
    }

    @Test void truncatedFilesAreReportedByName() throws IOException {
        Path f = dir.resolve("t.safetensors");
        Safetensors.write(f, Map.of("w", Safetensors.Entry.of(new int[] {4}, new float[] {1, 2, 3, 4})), Map.of());
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 4));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("t.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
    }
}
