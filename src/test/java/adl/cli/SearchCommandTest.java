package adl.cli;

import adl.train.RunFiles;
import adl.train.SearchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The search and decode commands as a user runs them (tiny sizes so they take seconds). */
class SearchCommandTest {
    @TempDir Path tmp;

    static final String[] TINY = {"--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--crop", "24",
        "--train-images", "8", "--val-images", "2", "--threads", "1"};

    static String[] args(String... extra) {
        List<String> all = new ArrayList<>(List.of(extra));
        all.addAll(List.of(TINY));
        return all.toArray(String[]::new);
    }

    @Test void searchWritesARunDirectoryAndDecodeReadsIt() throws IOException {
        Path run = tmp.resolve("run");
        MainTest.Result r = MainTest.run(args("search", "--out", run.toString(), "--epochs", "2", "--arch-start-epoch", "1"));
        assertEquals(0, r.code(), r.err());
        SearchConfig cfg = new RunFiles(run).readJson(RunFiles.CONFIG, SearchConfig.class);
        assertEquals(2, cfg.layers());
        assertEquals(0.025, cfg.lr());
        assertTrue(Files.exists(run.resolve(RunFiles.ARCHITECTURE)));
        String before = Files.readString(run.resolve(RunFiles.ARCHITECTURE));
        Files.delete(run.resolve(RunFiles.ARCHITECTURE));
        MainTest.Result d = MainTest.run("decode", "--run", run.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("block 0 = "), d.out());
        assertEquals(before, Files.readString(run.resolve(RunFiles.ARCHITECTURE)), "decode re-derives the same architecture");
    }

    @Test void cudaWithoutABackendIsAOneLineErrorWithExitTwo() {
        MainTest.Result r = MainTest.run(args("search", "--device", "cuda", "--out", tmp.resolve("x").toString()));
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("CUDA"), r.err());
    }

    @Test void badFlagsAreUsageErrorsNamingTheFlag() {
        MainTest.Result r = MainTest.run(args("search", "--batch", "1", "--out", tmp.resolve("y").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--batch"), r.err());
        MainTest.Result d = MainTest.run("decode", "--run", tmp.resolve("nothing").toString());
        assertEquals(2, d.code());
    }

    @Test void ctrlCFinishesTheStepAndWritesACheckpointOfEveryLoggedIteration() throws Exception {
        Path run = tmp.resolve("interrupted");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "adl.cli.Main", "search", "--out", run.toString(), "--epochs", "40"));
        cmd.addAll(List.of(TINY));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        Path metrics = run.resolve(RunFiles.METRICS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (!Files.exists(metrics) || Files.readAllLines(metrics).size() < 4)) Thread.sleep(100);
        assertTrue(p.isAlive(), "the search ended before it could be interrupted: " + Files.readString(tmp.resolve("log.txt")));
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit after SIGINT");
        String log = Files.readString(tmp.resolve("log.txt"));
        assertEquals(130, p.exitValue(), log);
        assertTrue(log.contains("stopped at epoch"), log);
        Path ckpt = new RunFiles(run).latestCheckpoint();
        assertNotNull(ckpt, log);
        long rows = Files.readAllLines(metrics).stream().skip(1).filter(l -> !l.split(",", -1)[2].isEmpty()).count();
        assertEquals(rows, Long.parseLong(iterationOf(ckpt)),
                "the checkpoint holds every iteration that was logged");
        assertFalse(log.contains("Exception"), log);
    }

    @Test void aRunKilledWithSigkillResumesToBitwiseTheSameArchitecture() throws Exception {
        String[] cfg = {"--epochs", "3", "--arch-start-epoch", "1", "--iters-per-epoch", "3", "--checkpoint-minutes", "0.0000001"};
        Path straight = tmp.resolve("straight"), killed = tmp.resolve("killed");
        List<String> a = new ArrayList<>(List.of("search", "--out", straight.toString()));
        a.addAll(List.of(cfg));
        assertEquals(0, MainTest.run(args(a.toArray(String[]::new))).code());

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "adl.cli.Main", "search", "--out", killed.toString()));
        cmd.addAll(List.of(cfg));
        cmd.addAll(List.of(TINY));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("kill.txt").toFile()).start();
        Path metrics = killed.resolve(RunFiles.METRICS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (!Files.exists(metrics) || Files.readAllLines(metrics).size() < 6)) Thread.sleep(20);
        p.destroyForcibly(); // SIGKILL: no hook, no last checkpoint
        p.waitFor(30, TimeUnit.SECONDS);
        assertNotNull(new RunFiles(killed).latestCheckpoint(), Files.readString(tmp.resolve("kill.txt")));

        MainTest.Result r = MainTest.run("search", "--resume", killed.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(straight.resolve(RunFiles.ARCHITECTURE)), Files.readString(killed.resolve(RunFiles.ARCHITECTURE)));
        var want = adl.train.Safetensors.read(new RunFiles(straight).latestCheckpoint()).entries();
        var got = adl.train.Safetensors.read(new RunFiles(killed).latestCheckpoint()).entries();
        for (String k : List.of("arch.alpha", "arch.beta")) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.get(k).f32(), got.get(k).f32(), k + " after kill and resume (in another process, other thread count)");
        }
    }

    private static String iterationOf(Path ckpt) {
        String n = ckpt.getFileName().toString();
        return Long.toString(Long.parseLong(n.substring(n.indexOf("-i") + 2, n.indexOf(".safetensors"))));
    }
}
