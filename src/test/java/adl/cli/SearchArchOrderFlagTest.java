package adl.cli;

import adl.train.RunFiles;
import adl.train.SearchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search --arch-order 2 --unrolled-lr ξ` as a user runs it: recorded in config.json; bad values are one-line usage errors. */
class SearchArchOrderFlagTest {
    @TempDir Path tmp;

    @Test void theOrderAndXiReachConfigJson() throws IOException {
        Path run = tmp.resolve("run");
        MainTest.Result r = MainTest.run(SearchCommandTest.args("search", "--out", run.toString(), "--epochs", "1", "--arch-start-epoch", "0",
                "--iters-per-epoch", "1", "--arch-order", "2", "--unrolled-lr", "0.01"));
        assertEquals(0, r.code(), r.err());
        SearchConfig cfg = new RunFiles(run).readJson(RunFiles.CONFIG, SearchConfig.class);
        assertEquals(2, cfg.archOrder());
        assertEquals(0.01, cfg.unrolledLr());
    }

    @Test void anOrderOtherThanOneOrTwoIsAUsageError() {
        MainTest.Result r = MainTest.run(SearchCommandTest.args("search", "--arch-order", "0", "--out", tmp.resolve("x").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--arch-order must be 1 or 2, got 0"), r.err());
    }
}
