package adl.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search loop with --arch-order 2 (docs/03-bilevel.md §9), on SearchLoopTest's tiny searches:
 * the order is recorded in config.json (an older config.json without it reads as first order),
 * it changes the search, and a crashed second-order run resumes bit for bit (the checkpoint
 * format is the first-order one: the step keeps no state of its own).
 */
class SecondOrderSearchTest {
    @TempDir Path tmp;

    @Test void anOlderConfigWithoutTheOrderReadsAsFirstOrder() throws IOException {
        RunFiles files = new RunFiles(tmp);
        files.writeJson(RunFiles.CONFIG, SearchLoopTest.tiny(2, 60, 0.025).withArchOrder(2, 0.01));
        String json = Files.readString(tmp.resolve(RunFiles.CONFIG));
        assertTrue(json.contains("\"arch_order\" : 2") && json.contains("\"unrolled_lr\" : 0.01"), json);
        SearchConfig back = files.readJson(RunFiles.CONFIG, SearchConfig.class);
        assertEquals(2, back.archOrder());
        assertEquals(0.01, back.unrolledLr());

        String old = json.replaceAll(",\\s*\"arch_order\" : 2", "").replaceAll(",\\s*\"unrolled_lr\" : 0.01", "");
        assertFalse(old.contains("arch_order") || old.contains("unrolled_lr"), old);
        Files.writeString(tmp.resolve(RunFiles.CONFIG), old);
        SearchConfig older = files.readJson(RunFiles.CONFIG, SearchConfig.class);
        assertEquals(1, older.archOrder());
        assertNull(older.unrolledLr());
        assertEquals(0.025, older.unrolledLr(0.025), "ξ follows the weight learning rate by default");
    }

    @Test void badOrderIsRefusedWithOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchLoopTest.tiny(2, 60, 0.025).withArchOrder(3, null));
        assertEquals("--arch-order must be 1 or 2, got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SearchLoopTest.tiny(2, 60, 0.025).withArchOrder(2, -1.0));
        assertEquals("--unrolled-lr must be >= 0, got -1.0", e.getMessage());
    }

    @Test void secondOrderChangesTheSearchAndResumesBitwise() throws IOException {
        SearchConfig first = SearchLoopTest.tiny(2, 1e-9, 0.025, 3); // architecture from epoch 1, a checkpoint every iteration
        SearchConfig second = first.withArchOrder(2, null);
        SearchLoopTest.runFully(first, tmp.resolve("first"));
        SearchLoopTest.runFully(second, tmp.resolve("straight"));
        List<double[]> a1 = SearchLoopTest.arch(first, tmp.resolve("first"));
        List<double[]> want = SearchLoopTest.arch(second, tmp.resolve("straight"));
        assertFalse(java.util.Arrays.equals(a1.get(0), want.get(0)), "second order moves α differently");
        assertTrue(Files.readString(tmp.resolve("straight").resolve(RunFiles.CONFIG)).contains("\"arch_order\" : 2"));

        Path crashed = tmp.resolve("crashed");
        try (SearchLoop s = SearchLoopTest.loop(second, crashed, SearchLoopTest.crashAfter(5), new StopSignal())) {
            assertThrows(SearchLoopTest.Crash.class, s::run);
        }
        SearchLoopTest.runFully(second, crashed);
        List<double[]> got = SearchLoopTest.arch(second, crashed);
        assertArrayEquals(want.get(0), got.get(0), "α");
        assertArrayEquals(want.get(1), got.get(1), "β");
    }
}
