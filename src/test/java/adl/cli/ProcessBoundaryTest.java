package adl.cli;

import adl.train.RunFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile cases that need a real process boundary (docs/07-guarantees.md): two processes on one
 * run directory, kill -9 in the middle of a checkpoint write, a full disk, a heap that is too small.
 */
class ProcessBoundaryTest {
    @TempDir Path tmp;

    static final String[] TINY = {"--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--crop", "24", "--train-images", "8",
        "--val-images", "2", "--threads", "1", "--device", "cpu", "--arch-start-epoch", "1", "--iters-per-epoch", "2"};

    static List<String> java(String... jvmOptions) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "adl.cli.Main"));
        return cmd;
    }

    static List<String> search(List<String> head, Path out, String... extra) {
        List<String> cmd = new ArrayList<>(head);
        cmd.addAll(List.of("search", "--out", out.toString()));
        cmd.addAll(List.of(TINY));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    Process start(List<String> cmd, String log) throws IOException {
        return new ProcessBuilder(cmd).redirectOutput(tmp.resolve(log + ".out").toFile()).redirectError(tmp.resolve(log + ".err").toFile()).start();
    }

    String err(String log) throws IOException { return Files.readString(tmp.resolve(log + ".err")); }

    static int waitFor(Process p) throws InterruptedException {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "no exit in 120 s");
        return p.exitValue();
    }

    /** The temp file of the write the slow writer holds up (ckpt-e0002), or null. */
    static Path tempFileIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return null;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".ckpt-e0002") && p.getFileName().toString().endsWith(".tmp"))
                    .findFirst().orElse(null);
        }
    }

    /** The error lines of a subprocess's stderr (its one line, or a usage error's two). */
    static MainTest.Result result(int code, String err) { return new MainTest.Result(code, "", err); }

    @Test void twoSearchesStartedTogetherOnOneDirectoryDoNotMix() throws Exception {
        Path out = tmp.resolve("run");
        Process a = start(search(java(), out, "--epochs", "2"), "a"), b = start(search(java(), out, "--epochs", "2", "--seed", "5"), "b");
        int ca = waitFor(a), cb = waitFor(b);
        assertTrue((ca == 0) != (cb == 0), "exactly one runs: exit codes " + ca + ", " + cb + "\n" + err("a") + err("b"));
        String loser = ca == 0 ? "b" : "a";
        String line = Hostile.errorLines(err(loser)).get(0);
        assertTrue(line.contains("in use by another adl run (pid ") || line.contains("already holds a run"), line);
        Hostile.assertRefused(result(ca == 0 ? cb : ca, err(loser)), ca == 0 ? cb : ca);
        long seed = new RunFiles(out).readJson(RunFiles.CONFIG, adl.train.SearchConfig.class).seed();
        assertEquals(ca == 0 ? 0 : 5, seed, "config.json is the winner's");
        List<String> rows = Files.readAllLines(out.resolve(RunFiles.METRICS));
        assertEquals(1, rows.stream().filter(r -> r.startsWith("epoch,")).count(), "one header: " + rows);
        assertEquals(2 * 2 + 2, rows.size() - 1, "one run's rows (4 training, 2 validation): " + rows);
    }

    @Test void killDashNineInACheckpointWriteLeavesNoLockAndTheTempFileGoesAtTheNextStart() throws Exception {
        Path out = tmp.resolve("run");
        Process a = start(search(java("-Dadl.test.slowWriteMs=60000", "-Dadl.test.slowWriteName=ckpt-e0002"), out, "--epochs", "3"), "a");
        Path ckpts = out.resolve(RunFiles.CHECKPOINTS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && tempFileIn(ckpts) == null && a.isAlive()) Thread.sleep(50);
        Path partial = tempFileIn(ckpts);
        assertTrue(partial != null && a.isAlive(), "no checkpoint write in progress: " + err("a"));

        Process resume = start(with(java(), "search", "--resume", out.toString()), "r1");
        int cr = waitFor(resume);
        Hostile.assertRefused(result(cr, err("r1")), 1, "in use by another adl run (pid " + a.pid() + ")");

        new ProcessBuilder("kill", "-9", Long.toString(a.pid())).start().waitFor();
        waitFor(a);
        assertTrue(Files.exists(partial), "the killed write left its temp file");
        var before = Hostile.snapshot(out);
        before.keySet().removeIf(p -> !p.getFileName().toString().startsWith("ckpt-e0001") && !p.getFileName().toString().endsWith(".json"));
        before.remove(out.resolve(RunFiles.ARCHITECTURE)); // rewritten by the epochs the resume runs
        assertTrue(before.containsKey(out.resolve("checkpoints/ckpt-e0001-i000000002.safetensors")), before.keySet().toString());
        Process again = start(with(java(), "search", "--resume", out.toString()), "r2");
        assertEquals(0, waitFor(again), err("r2"));
        assertFalse(Files.exists(partial));
        assertTrue(Files.readString(tmp.resolve("r2.out")).contains("removed " + partial), Files.readString(tmp.resolve("r2.out")));
        Hostile.assertUnchanged(before);
        assertNotEquals(null, new RunFiles(out).latestCheckpoint());
    }

    static List<String> with(List<String> head, String... args) {
        List<String> cmd = new ArrayList<>(head);
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test void aFullDiskIsOneLineNamingTheFile() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("small"));
        boolean canMount = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs " + mnt + " && umount " + mnt)
                .redirectErrorStream(true).start().waitFor() == 0;
        Assumptions.assumeTrue(canMount, "skipped: cannot mount a small tmpfs here (needs root and unshare -m)");
        String java = String.join(" ", search(java(), mnt.resolve("run"), "--epochs", "2").stream()
                .map(s -> "'" + s + "'").toList());
        Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=48k tmpfs " + mnt + " && exec " + java)
                .redirectOutput(tmp.resolve("df.out").toFile()).redirectError(tmp.resolve("df.err").toFile()).start();
        int code = waitFor(p);
        Hostile.assertRefused(result(code, err("df")), 1, "cannot write " + mnt.resolve("run"), "No space left on device");
    }

    @Test void runningOutOfHeapIsOneLineWithAdvice() throws Exception {
        Process p = start(with(java("-Xmx48m"), "search", "--out", tmp.resolve("oom").toString(), "--device", "cpu", "--threads", "1",
                "--crop", "320", "--batch", "8", "--train-images", "16", "--val-images", "2", "--epochs", "1", "--arch-start-epoch", "0",
                "--iters-per-epoch", "1"), "oom");
        int code = waitFor(p);
        Hostile.assertRefused(result(code, err("oom")), 1, "out of Java heap memory", "'adl search --out", "ADL_JAVA_OPTS=-Xmx");
    }

    @Test void aCheckpointLargerThanTheHeapIsRefusedBeforeReading() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        new RunFiles(run).writeJson(RunFiles.CONFIG, new adl.train.SearchConfig("synthetic", null, 1, "cpu", 2, 2, 2, 24, 2, 2, 1, 0, 0.025, 0.001,
                0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 8, 2, 0, 1, 10, 3, false, 1, null));
        Path big = run.resolve("big.safetensors");
        adl.train.Safetensors.write(big, java.util.Map.of("arch.alpha", adl.train.Safetensors.Entry.of(new int[] {8_000_000}, new float[8_000_000])),
                java.util.Map.of());
        Process p = start(with(java("-Xmx32m"), "decode", "--run", run.toString(), "--checkpoint", big.toString()), "heap");
        Hostile.assertRefused(result(waitFor(p), err("heap")), 1, big.toString(), "its tensors need 30 MB", "ADL_JAVA_OPTS=-Xmx");
    }
}
