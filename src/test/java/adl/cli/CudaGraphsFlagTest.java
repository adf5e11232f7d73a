package adl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --cuda-graphs} on the CPU (the only device here): ignored after one notice line on stderr,
 * the run itself goes on eagerly (documented in docs/05d-cuda-graphs.md §5).
 */
class CudaGraphsFlagTest {
    @TempDir Path tmp;

    static final String NOTICE = "--cuda-graphs ignored on cpu (CUDA graphs need a CUDA device)";

    @Test void searchIgnoresTheFlagOnTheCpuWithOneNotice() {
        MainTest.Result r = MainTest.run(SearchCommandTest.args("search", "--device", "cpu", "--cuda-graphs", "--out", tmp.resolve("run").toString(),
                "--epochs", "1", "--arch-start-epoch", "0", "--iters-per-epoch", "1"));
        assertEquals(0, r.code(), r.err());
        assertEquals("search: " + NOTICE, r.err().strip(), r.err());
    }

    @Test void helpNamesTheFlagAndItsDefault() {
        MainTest.Result s = MainTest.run("search", "--help");
        assertTrue(s.out().contains("--cuda-graphs") && s.out().contains("Off by default"), s.out());
        MainTest.Result b = MainTest.run("bench", "search-step", "--help");
        assertTrue(b.out().contains("--cuda-graphs"), b.out());
    }

    @Test void theNoticeIsOneLineAndOnlyWhenAsked() {
        java.io.StringWriter w = new java.io.StringWriter();
        java.io.PrintWriter err = new java.io.PrintWriter(w);
        assertEquals(false, DeviceOption.cudaGraphs(false, adl.backend.Device.CPU, "bench search-step", err));
        assertEquals("", w.toString());
        assertEquals(false, DeviceOption.cudaGraphs(true, adl.backend.Device.CPU, "bench search-step", err));
        assertEquals("bench search-step: " + NOTICE + System.lineSeparator(), w.toString());
    }
}
