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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-built safetensors files that lie (docs/07-guarantees.md): each is refused by the reader
 * before it allocates for it, with one line naming the file and what is wrong.
 */
public class HostileSafetensorsTest {
    @TempDir Path dir;

    /** A file with exactly this header text (padded to 8 bytes) and these data bytes. */
    public static Path raw(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        while (b.position() < 8 + padded) b.put((byte) ' ');
        b.put(data);
        Files.write(file, b.array());
        return file;
    }

    private IOException refused(String header, int dataBytes, String... words) throws IOException {
        Path f = raw(dir.resolve("bad.safetensors"), header, new byte[dataBytes]);
        byte[] before = Files.readAllBytes(f);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(f)), "the refused file is left as it was");
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString() + ": "), "names the file: " + m);
        assertEquals(1, m.lines().count(), m);
        assertFalse(m.contains("Exception"), m);
        for (String w : words) assertTrue(m.contains(w), "'" + w + "' missing from: " + m);
        return e;
    }

    @Test void negativeBeginIsRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8, "'w'", "not a range");
    }

    @Test void overlappingRangesAreRefused() throws IOException {
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                12, "'a'", "'b'", "overlap");
    }

    @Test void rangesOutOfOrderAreRefused() throws IOException {
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                8, "'b'", "out of order");
    }

    @Test void rangeBeyondTheDataIsRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, "'w'", "beyond the 8 data bytes");
    }

    @Test void shapeThatDisagreesWithItsRangeIsRefusedBeforeAllocating() throws IOException {
        // [1, 100000000] F32 would be 400 MB: refused from the header alone, nothing allocated
        refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,100000000],\"data_offsets\":[0,8]}}", 8, "'w'", "400000000 bytes, but data_offsets [0,8] hold 8");
    }

    @Test void shapeLargerThanAnArrayIsRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,8]}}", 8, "'w'", "more values than one array");
    }

    @Test void aTensorOfMoreThanTwoGigabytesIsRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F64\",\"shape\":[400000000],\"data_offsets\":[0,3200000000]}}", 8, "'w'", "beyond the 8 data bytes");
        refused("{\"w\":{\"dtype\":\"F64\",\"shape\":[400000000],\"data_offsets\":[0,8]}}", 8, "'w'", "3200000000 bytes, more than one read can hold");
    }

    @Test void negativeShapeIsRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0, "'w'", "[-1]");
    }

    @Test void unknownDtypeIsRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'w'", "\"Q7\"");
    }

    @Test void duplicateNamesAreRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                8, "appears twice");
    }

    @Test void headerThatIsNotJsonIsRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F32\",", 4, "not valid JSON");
    }

    @Test void headerThatIsNotAnObjectIsRefused() throws IOException {
        refused("[1,2,3]", 0, "not a JSON object");
    }

    @Test void missingFieldsAreRefused() throws IOException {
        refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "'w'", "data_offsets");
    }

    @Test void nonStringMetadataIsRefused() throws IOException {
        refused("{\"__metadata__\":{\"epoch\":3}}", 0, "'epoch'", "not a string");
    }

    @Test void headerLengthLargerThanTheFileIsRefused() throws IOException {
        Path f = dir.resolve("len.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(f, b.array());
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f + ": corrupt header length 1099511627776"), e.getMessage());
        ByteBuffer neg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-160).putLong(0);
        Files.write(f, neg.array());
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(f)).getMessage().contains("corrupt header length -160"));
    }

    @Test void emptyFileIsRefused() throws IOException {
        Path f = Files.write(dir.resolve("empty.safetensors"), new byte[0]);
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(f)).getMessage().contains("too short"));
    }

    private Path written() throws IOException {
        Map<String, Safetensors.Entry> m = new LinkedHashMap<>();
        m.put("a", Safetensors.Entry.of(new int[] {2}, new float[] {1, 2}));
        m.put("b", Safetensors.Entry.of(new int[] {3}, new float[] {3, 4, 5}));
        Path f = dir.resolve("good.safetensors");
        Safetensors.write(f, m, Map.of("format", "pt"));
        return f;
    }

    @Test void aFlippedBitInTensorDataFailsItsChecksum() throws IOException {
        Path f = written();
        byte[] b = Files.readAllBytes(f);
        b[b.length - 3] ^= 0x10; // inside tensor b
        Files.write(f, b);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("tensor 'b' fails its checksum"), e.getMessage());
    }

    @Test void ourFilesCarryAChecksumPerTensorAndVerify() throws IOException {
        Safetensors.Contents c = Safetensors.read(written());
        assertTrue(c.verified());
        assertTrue(c.metadata().get("crc32c.a").matches("[0-9a-f]{8}"), c.metadata().toString());
        assertEquals("pt", c.metadata().get("format"));
    }

    @Test void crc32cIsTheCastagnoliChecksum() {
        // the standard check value of CRC-32C (iSCSI, RFC 3720): "123456789" -> e3069283
        assertEquals("e3069283", Safetensors.crc32c(ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test void aFileWithoutChecksumsLoadsUnverified() throws IOException {
        Path f = raw(dir.resolve("old.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertFalse(Safetensors.read(f).verified());
        List<String> warnings = new java.util.ArrayList<>();
        Checkpoint.read(f, warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("has no checksums"), warnings.get(0));
    }

    @Test void aChecksumForOnlySomeTensorsIsRefused() throws IOException {
        refused("{\"__metadata__\":{\"crc32c.a\":\"00000000\"},\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0, "'b' has no checksum");
    }

    @Test void nonFiniteValuesAreRefusedNamingTheTensor() throws IOException {
        Path f = dir.resolve("nan.safetensors");
        Safetensors.write(f, Map.of("arch.alpha", Safetensors.Entry.of(new int[] {2}, new float[] {1, Float.POSITIVE_INFINITY})), Map.of());
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(f, w -> { }));
        assertTrue(e.getMessage().contains("tensor 'arch.alpha' holds Infinity"), e.getMessage());
    }

    @Test void badCountersAreRefusedNamingTheCounter() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(Map.of("epoch", "-7", "iter_in_epoch", "0", "iteration", "3", "arch_steps", "0",
                "best_miou", "0.5", "seconds", "1"));
        Path f = dir.resolve("c.safetensors");
        Safetensors.write(f, Map.of(), meta);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.counters(f, Safetensors.read(f)));
        assertTrue(e.getMessage().contains("counter 'epoch' is '-7'"), e.getMessage());
        meta.put("epoch", "1");
        meta.put("best_miou", "NaN");
        Safetensors.write(f, Map.of(), meta);
        e = assertThrows(IOException.class, () -> Checkpoint.counters(f, Safetensors.read(f)));
        assertTrue(e.getMessage().contains("counter 'best_miou' is 'NaN'"), e.getMessage());
    }
}
