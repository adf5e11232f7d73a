package adl.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out of device memory on the mock GPU (a small {@code ADL_MOCK_GPU_MEMORY_MB}) while a search
 * resumes: one clear error line, exit 1, and the checkpoints it resumed from untouched, byte for
 * byte (README, "search": no checkpoint is written from a failed step).
 */
class OutOfMemoryMockIT {
    /**
     * The mock's capacity for the resumed run: enough to load the supernet and its optimizer state
     * from the checkpoint, too little for one search iteration at {@link #FLAGS}. Measured: 2 MB
     * fails while loading the checkpoint, 4 MB in the first iteration (asking for 48 KiB with
     * 4.0 MiB in use), 8 MB runs — with stored activations: the resume asks for {@code --no-recompute}
     * (recomputation, the default, needs less and runs in 4 MB).
     */
    static final String MEMORY_MB = "4";
    /** A small search, 50 epochs: long enough never to end before the signal. */
    static final String[] FLAGS = {"--crop", "32", "--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--batch", "2",
            "--epochs", "50", "--arch-start-epoch", "1", "--iters-per-epoch", "2", "--train-images", "8", "--val-images", "2"};

    @TempDir Path tmp;

    @Test void outOfDeviceMemoryIsOneLineAndLeavesTheCheckpointsIntact() throws Exception {
        Path run = tmp.resolve("search");
        interruptedSearch(run);
        Map<String, byte[]> before = RunDir.checkpointBytes(run);
        assertTrue(before.keySet().stream().anyMatch(n -> n.startsWith("ckpt-")), "a checkpoint to resume from: " + before.keySet());

        Map<String, String> env = new HashMap<>(MockGpu.env(null));
        env.put("ADL_MOCK_GPU_MEMORY_MB", MEMORY_MB);
        Adl.Result r = Adl.run(env, Duration.ofSeconds(120), "search", "--device", "cuda", "--no-recompute", "--resume", run.toString());
        assertEquals(1, r.exit(), r.tail(30));
        List<String> errors = r.err().lines().filter(l -> !l.isBlank() && !l.startsWith("adl mock GPU:")).toList();
        assertEquals(1, errors.size(), "one error line:\n" + r.tail(30));
        String line = errors.get(0);
        assertTrue(line.startsWith("error: ") && line.contains("out of device memory"), line);
        assertTrue(line.contains("(at iteration "), "out of memory in a step, after the checkpoint was loaded: " + line);
        assertTrue(!line.contains("Exception") && !line.contains("\tat "), "no exception class or stack: " + line);
        assertTrue(r.out().contains("resuming " + run), "it got as far as resuming:\n" + r.tail(30));

        Map<String, byte[]> after = RunDir.checkpointBytes(run);
        assertEquals(before.keySet(), after.keySet(), "no checkpoint added or removed");
        for (String name : before.keySet()) assertArrayEquals(before.get(name), after.get(name), name + " changed");
    }

    /** A CPU search stopped by SIGTERM once its first checkpoint exists (it finishes the step, checkpoints, exits 143). */
    private static void interruptedSearch(Path run) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Adl.JAVA.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-Djava.awt.headless=true", "-jar", Adl.JAR.toString(), "search", "--device", "cpu", "--out", run.toString()));
        cmd.addAll(List.of(FLAGS));
        Path log = Files.createDirectories(Path.of("target/it-logs")).resolve("oom-first-run.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (RunDir.checkpointNames(run).stream().noneMatch(n -> n.startsWith("ckpt-"))) {
            assertTrue(p.isAlive(), "the search ended before its first checkpoint:\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no checkpoint within 120 s:\n" + Files.readString(log));
            Thread.sleep(50);
        }
        p.destroy(); // SIGTERM: the shutdown hook (GracefulStop) waits for the step and the checkpoint
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the search did not stop after SIGTERM");
        assertEquals(128 + 15, p.exitValue(), Files.readString(log));
        assertTrue(Files.readString(log).contains("stopped at epoch"), Files.readString(log));
    }
}
