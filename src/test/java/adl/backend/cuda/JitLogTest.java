package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JIT log of cuModuleLoadDataEx as it goes into an error: the bytes the driver says it wrote, up to the NUL, on one line. Needs no GPU. */
class JitLogTest {
    private static MemorySegment buffer(Arena a, String text, int size) {
        MemorySegment s = a.allocate(size);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    @Test
    void logIsCutAtTheFilledCountAndTheNulAndJoinedOnOneLine() {
        try (Arena a = Arena.ofConfined()) {
            String log = "ptxas application ptx input, line 9; fatal   : Unsupported .version 9.0\nptxas fatal   : aborted\n";
            MemorySegment buf = buffer(a, log + "\0garbage after the NUL", 256);
            assertEquals("ptxas application ptx input, line 9; fatal   : Unsupported .version 9.0 | ptxas fatal   : aborted",
                    CudaDriver.jitLog(buf, log.length() + 1));
            assertEquals("ptxas", CudaDriver.jitLog(buf, 5), "only the bytes the driver reports as written");
            assertEquals("", CudaDriver.jitLog(buf, 0), "nothing written");
            MemorySegment full = buffer(a, "x".repeat(16), 16);
            assertEquals("x".repeat(16), CudaDriver.jitLog(full, 1000), "a count beyond the buffer is capped, no NUL needed");
        }
    }
}
