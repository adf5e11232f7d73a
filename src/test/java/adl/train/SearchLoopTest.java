package adl.train;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.SyntheticDataset;
import adl.tensor.Tensor;
import adl.nas.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tiny searches (2 layers, F 2, crop 24) so the whole class runs in seconds. */
class SearchLoopTest {
    @TempDir Path tmp;

    static SearchConfig tiny(int epochs, double checkpointMinutes, double lr) { return tiny(epochs, checkpointMinutes, lr, 0); }

    static SearchConfig tiny(int epochs, double checkpointMinutes, double lr, int itersPerEpoch) {
        return new SearchConfig("synthetic", null, 1.0, "cpu", 2, 2, 2, 24, 2, epochs, 1, itersPerEpoch,
                lr, 0.001, 0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 8, 4, 7, 2, checkpointMinutes, 3, false, 1, null);
    }

    static SearchLoop loop(SearchConfig c, Path dir, RunListener l, StopSignal stop) {
        return new SearchLoop(c, dir, new SyntheticDataset("train", c.trainImages(), c.crop(), c.crop(), c.seed()),
                new SyntheticDataset("val", c.valImages(), c.crop(), c.crop(), c.seed()), l, stop);
    }

    static SearchLoop.Result runFully(SearchConfig c, Path dir) throws IOException {
        try (SearchLoop s = loop(c, dir, new RunListener() {}, new StopSignal())) {
            return s.run();
        }
    }

    static List<double[]> arch(SearchConfig c, Path dir) throws IOException {
        try (SearchLoop s = loop(c, dir, new RunListener() {}, new StopSignal())) {
            s.run(); // already finished: loads the newest checkpoint and returns
            return s.archValues();
        }
    }

    /** A listener that "kills" the run after a given iteration: nothing after the last checkpoint survives. */
    static final class Crash extends RuntimeException {}

    static RunListener crashAfter(long iteration) {
        return new RunListener() {
            @Override public void iteration(int epoch, long it, long total, double t, double a, double lr) {
                if (it == iteration) throw new Crash();
            }
        };
    }

    @Test void writesTheRunDirectory() throws IOException {
        SearchConfig c = tiny(2, 60, 0.025);
        SearchLoop.Result r = runFully(c, tmp.resolve("run"));
        Path run = tmp.resolve("run");
        for (String f : List.of(RunFiles.CONFIG, RunFiles.SPLIT, RunFiles.METRICS, RunFiles.ARCHITECTURE, RunFiles.HISTORY,
                EpochPlots.CURVES, EpochPlots.ALPHA, EpochPlots.TRELLIS, EpochPlots.CELL)) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        Architecture a = Architecture.read(run.resolve(RunFiles.ARCHITECTURE));
        assertEquals(r.architecture(), a);
        assertEquals(2, Files.readAllLines(run.resolve(RunFiles.HISTORY)).size());
        List<String> metrics = Files.readAllLines(run.resolve(RunFiles.METRICS));
        assertEquals(RunFiles.METRICS_HEADER, metrics.get(0));
        assertEquals(1 + 2 * 2 + 2, metrics.size(), "2 epochs × 2 iterations + 2 validation rows");
        assertTrue(Files.exists(run.resolve("checkpoints/best.safetensors")));
        assertTrue(Files.readString(run.resolve(RunFiles.CONFIG)).contains("\"layers\" : 2"));
    }

    @Test void resumeAfterACrashMidEpochEndsBitwiseWhereAnUninterruptedRunEnds() throws IOException {
        SearchConfig everyIteration = tiny(3, 1e-9, 0.025, 3); // 3 iterations per epoch, A cycled
        runFully(everyIteration, tmp.resolve("straight"));
        List<double[]> want = arch(everyIteration, tmp.resolve("straight"));

        // crash in the middle of epoch 1 (iterations 4..6, architecture steps on), after the interval
        // checkpoint of iteration 4: optimizer state of both steps must come back
        Path crashed = tmp.resolve("crashed");
        try (SearchLoop s = loop(everyIteration, crashed, crashAfter(5), new StopSignal())) {
            assertThrows(Crash.class, s::run);
        }
        assertTrue(new RunFiles(crashed).latestCheckpoint().getFileName().toString().contains("i000000004"));
        // the checkpoint of iteration 5 was not written (the crash came first): simulate SIGKILL losing it
        runFully(everyIteration, crashed);
        List<double[]> got = arch(everyIteration, crashed);
        assertArrayEquals(want.get(0), got.get(0), "α");
        assertArrayEquals(want.get(1), got.get(1), "β");
        assertEquals(Files.readString(tmp.resolve("straight").resolve(RunFiles.ARCHITECTURE)),
                Files.readString(crashed.resolve(RunFiles.ARCHITECTURE)));
        assertEquals(stripSeconds(tmp.resolve("straight").resolve(RunFiles.METRICS)), stripSeconds(crashed.resolve(RunFiles.METRICS)),
                "metrics.csv lines (without timings) agree");
    }

    @Test void resumeFromAnEpochEndCheckpointAlsoMatches() throws IOException {
        SearchConfig epochOnly = tiny(3, 60, 0.025);
        runFully(epochOnly, tmp.resolve("straight"));
        List<double[]> want = arch(epochOnly, tmp.resolve("straight"));
        Path crashed = tmp.resolve("crashed");
        try (SearchLoop s = loop(epochOnly, crashed, crashAfter(5), new StopSignal())) {
            assertThrows(Crash.class, s::run);
        }
        runFully(epochOnly, crashed);
        List<double[]> got = arch(epochOnly, crashed);
        assertArrayEquals(want.get(0), got.get(0), "α");
        assertArrayEquals(want.get(1), got.get(1), "β");
    }

    @Test void aStopRequestFinishesTheStepCheckpointsAndResumes() throws IOException {
        SearchConfig c = tiny(2, 60, 0.025);
        StopSignal stop = new StopSignal();
        Path dir = tmp.resolve("stopped");
        try (SearchLoop s = loop(c, dir, new RunListener() {
            @Override public void iteration(int epoch, long it, long total, double t, double a, double lr) {
                if (it == 1) stop.request();
            }
        }, stop)) {
            SearchLoop.Result r = s.run();
            assertTrue(r.stopped());
            assertEquals(1, r.state().iteration());
        }
        assertEquals(1, new RunFiles(dir).checkpoints().size());
        SearchLoop.Result done = runFully(c, dir);
        assertFalse(done.stopped());
        assertEquals(4, done.state().iteration());
    }

    @Test void aNonFiniteLossStopsWithTheIterationAndNoCheckpointHoldsNaN() throws IOException {
        SearchConfig everyIteration = tiny(3, 1e-9, 0.025);
        Path dir = tmp.resolve("nan");
        SearchLoop[] self = new SearchLoop[1];
        RunListener poison = new RunListener() {
            @Override public void iteration(int epoch, long it, long total, double t, double a, double lr) {
                if (it == 3) { // a weight goes bad after iteration 3 (as an exploding step would make it)
                    Tensor w = self[0].net().weightParameters().get(0);
                    double[] v = Tensors.toDoubles(w);
                    v[0] = Double.NaN;
                    Device.backendOf(w).write(w, v);
                }
            }
        };
        try (SearchLoop s = loop(everyIteration, dir, poison, new StopSignal())) {
            self[0] = s;
            RunFailed e = assertThrows(RunFailed.class, s::run);
            assertTrue(e.getMessage().contains("after iteration 3"), e.getMessage());
            assertTrue(e.getMessage().contains("i000000002"), "names the last good checkpoint: " + e.getMessage());
        }
        List<Path> ckpts = new RunFiles(dir).checkpoints();
        List<Long> iterations = new java.util.ArrayList<>();
        for (Path p : ckpts) iterations.add(Long.parseLong(Safetensors.read(p).metadata().get("iteration")));
        assertEquals(List.of(1L, 2L, 2L), iterations, "iterations 1 and 2, and the end of epoch 0 (after iteration 2)");
        for (Path p : ckpts) {
            for (var entry : Safetensors.read(p).entries().entrySet()) {
                if (entry.getValue().f32() == null) continue;
                for (float v : entry.getValue().f32()) assertTrue(Float.isFinite(v), p + " " + entry.getKey());
            }
        }
    }

    @Test void runningOutOfDeviceMemoryStopsWithTheSizesAndKeepsTheLastCheckpoint() throws IOException {
        SearchConfig c = tiny(3, 60, 0.025);
        Path dir = tmp.resolve("oom");
        RunListener oom = new RunListener() {
            @Override public void iteration(int epoch, long it, long total, double t, double a, double lr) {
                if (it == 3) throw new adl.memory.OutOfDeviceMemory(
                        "out of device memory: asked for 1.5 GiB with 60.2 GiB in use by tensors (peak 61.0 GiB)");
            }
        };
        try (SearchLoop s = loop(c, dir, oom, new StopSignal())) {
            RunFailed e = assertThrows(RunFailed.class, s::run);
            assertTrue(e.getMessage().contains("asked for 1.5 GiB") && e.getMessage().contains("is intact"), e.getMessage());
        }
        Path last = new RunFiles(dir).latestCheckpoint();
        assertEquals("2", Safetensors.read(last).metadata().get("iteration"), "the epoch-0 checkpoint is the newest and loads");
    }

    @Test void aNanLossIsReportedWithItsIteration() {
        RunFailed e = assertThrows(RunFailed.class, () -> runFully(tiny(3, 60, 1e30), tmp.resolve("boom")));
        assertTrue(e.getMessage().matches("(?s).*(at|after) iteration \\d+.*"), e.getMessage());
    }

    @Test void aShortSearchLowersTheValidationLoss() throws IOException {
        SearchConfig c = new SearchConfig("synthetic", null, 1.0, "cpu", 2, 2, 2, 24, 2, 5, 2, 0,
                0.05, 0.001, 0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 16, 4, 11, 2, 60, 2, false, 1, null);
        runFully(c, tmp.resolve("learn"));
        List<Double> val = Files.readAllLines(tmp.resolve("learn").resolve(RunFiles.METRICS)).stream().skip(1)
                .map(l -> l.split(",", -1)[4]).filter(v -> !v.isEmpty()).map(Double::parseDouble).toList();
        assertEquals(5, val.size());
        assertTrue(val.get(4) < val.get(0), "validation loss per epoch: " + val);
    }

    static List<String> stripSeconds(Path metrics) throws IOException {
        return Files.readAllLines(metrics).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
