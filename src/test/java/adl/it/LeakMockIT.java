package adl.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The caching allocator (docs/05b-device-memory.md §1) and the mock driver agree that nothing leaks: a short search
 * on the mock ({@code adl.backend.cuda.MockLeakProbe}, eager and with CUDA graphs) holds the same
 * device bytes after every iteration of the same kind, gives every block back when the search is
 * closed and the backend with it, and then the mock's report (written at the last release of the
 * primary context, ADL_MOCK_GPU_REPORT) lists no live allocation. A control leaks one tensor and
 * must be reported by both.
 */
class LeakMockIT {
    private static final Pattern LINE = Pattern.compile("(?m)^(.+): in_use=(\\d+) cached=(\\d+) live_storages=(-?\\d+) graphs=(\\d+)$");

    @TempDir Path tmp;

    @Test void anEagerSearchLeaksNothing() throws Exception { searchLeaksNothing(""); }

    @Test void aSearchWithCudaGraphsLeaksNothing() throws Exception { searchLeaksNothing("--cuda-graphs"); }

    private void searchLeaksNothing(String mode) throws Exception {
        Path report = tmp.resolve("report.txt");
        Adl.Result r = probe(report, mode);
        Map<String, Long> inUse = inUse(r);
        // with graphs, one lives from its capture (iterations 3 and 7) until the next phase or the close
        Map<String, Long> graphs = column(r, 5);
        long[] expected = mode.isEmpty() ? new long[] {0, 0, 0, 0, 0, 0, 0, 0} : new long[] {0, 0, 1, 1, 0, 0, 1, 1};
        for (int i = 1; i <= 8; i++) assertEquals(expected[i - 1], graphs.get("iteration " + i), "live graphs after iteration " + i + ":\n" + r.out());
        assertEquals(0L, graphs.get("search closed"), r.out());
        // iterations 1-4 weight steps, 5-8 weight + architecture steps: after the first two of each
        // kind (optimizer state, cuDNN workspace and, with graphs, the capture) nothing may grow
        for (int[] same : new int[][] {{2, 3, 4}, {6, 7, 8}}) {
            for (int i : same) {
                assertEquals(inUse.get("iteration " + same[0]), inUse.get("iteration " + i),
                        "device bytes in use after iteration " + i + " vs " + same[0] + ":\n" + r.out());
            }
        }
        assertEquals(0L, inUse.get("backend closed"), "in use after close:\n" + r.out());
        assertEquals(0L, column(r, 3).get("backend closed"), "cached after close:\n" + r.out());
        assertTrue(Files.exists(report), "the mock wrote no report: the primary context was never released:\n" + r.tail(20));
        assertEquals("", Files.readString(report), "the mock's live allocations at the last context release");
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("adl mock GPU:")), "the mock reported a problem:\n" + r.err());
    }

    @Test void aLeakedTensorIsSeenByBoth() throws Exception {
        Path report = tmp.resolve("report.txt");
        Adl.Result r = probe(report, "--leak-one");
        assertEquals(4096L, inUse(r).get("backend closed"), "1000 floats, rounded to the allocator's 512-byte granule:\n" + r.out());
        List<String> lines = Files.readAllLines(report);
        assertEquals(2, lines.size(), "one leak line and the total: " + lines);
        assertTrue(lines.get(0).startsWith("leak: 4096 bytes at 0x"), lines.get(0));
        assertEquals("live allocations: 1, bytes: 4096", lines.get(1));
    }

    private Adl.Result probe(Path report, String mode) {
        List<String> cmd = new ArrayList<>(List.of(Adl.JAVA.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-Djava.awt.headless=true", "-cp", Adl.JAR + ":" + Path.of("target/test-classes").toAbsolutePath(),
                "adl.backend.cuda.MockLeakProbe", tmp.resolve("run").toString()));
        if (!mode.isEmpty()) cmd.add(mode);
        Adl.Result r = Adl.command(cmd, MockGpu.env(report), Duration.ofSeconds(180));
        assertEquals(0, r.exit(), r.tail(30));
        return r;
    }

    private static Map<String, Long> inUse(Adl.Result r) { return column(r, 2); }

    /** One number of the probe's lines, by "when": 2 in_use, 3 cached, 4 live_storages, 5 graphs. */
    private static Map<String, Long> column(Adl.Result r, int group) {
        Map<String, Long> m = new LinkedHashMap<>();
        Matcher x = LINE.matcher(r.out());
        while (x.find()) m.put(x.group(1), Long.parseLong(x.group(group)));
        assertTrue(m.containsKey("backend closed"), "the probe ran to the end:\n" + r.tail(30));
        return m;
    }
}
