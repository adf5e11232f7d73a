package adl.dist;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mock NCCL of the mock GPU (scripts/mock-gpu/nccl, docs/08-data-parallel.md §9), built into
 * target/mock-gpu and run by its C self-test with 2 processes: a grouped float32 + float64 all-reduce
 * through a shared-memory slot smaller than the buffers gives a + b exactly on both ranks, a
 * broadcast from rank 1 arrives, an unsupported reduction and a foreign unique id are refused. In
 * subprocesses only (the mock is never loaded into this JVM).
 */
class MockNcclTest {
    @Test void twoProcessesReduceAndBroadcastThroughTheMock() throws Exception {
        Path out = Path.of("target/mock-gpu").toAbsolutePath();
        Process p = new ProcessBuilder(List.of("bash", "scripts/mock-gpu/nccl/test/run.sh", out.toString())).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("scripts/mock-gpu/nccl/test/run.sh did not finish in 300 s:\n" + output);
        }
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("mock_nccl_test: rank 0 checks=17 failed=0"), output);
        assertTrue(output.contains("mock_nccl_test: rank 1 checks=17 failed=0"), output);
        assertTrue(output.contains("mock_nccl_test: checks=17 failed=0 (rank 1 passed)"), output);
    }
}
