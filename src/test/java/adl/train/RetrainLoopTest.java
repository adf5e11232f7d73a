package adl.train;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.SyntheticDataset;
import adl.nas.Architecture;
import adl.nas.CellEdge;
import adl.nas.Primitive;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.nn.ReLU;
import adl.nn.Sequential;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retrain loop on a small stand-in network (conv, BN, ReLU, 1×1 logits), so it runs in seconds. */
class RetrainLoopTest {
    @TempDir Path tmp;

    static RetrainConfig tiny(int iters, int evalEvery, double checkpointMinutes) {
        return new RetrainConfig("test", 4, adl.nas.retrain.FixedNetwork.Widths.PAPER, 6, "synthetic", null, 1.0, "cpu", 20, 24, 2, iters, 0.05, 0.9, 4e-5, 0, 0.5, 2.0,
                6, 4, evalEvery, 3, 1, checkpointMinutes, 3);
    }

    static Module net(long seed) {
        Init init = new Init(Device.CPU, DType.F32, seed);
        return new Sequential(Conv2d.of(3, 8, 3).padding(1).bias(false).build(init), new BatchNorm2d(init, 8), new ReLU(), new Conv2d(init, 8, 6, 1));
    }

    static Architecture arch() {
        List<CellEdge> cell = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            cell.add(new CellEdge(Primitive.SEP_CONV_3X3, b + 1));
            cell.add(new CellEdge(Primitive.SKIP_CONNECT, 0));
        }
        return new Architecture(cell, new int[] {0, 1, 2, 3}, 4);
    }

    static RetrainLoop.Result run(RetrainConfig c, Path dir, Module net, RunListener l, StopSignal stop, List<Long> seen) throws IOException {
        return new RetrainLoop(c, dir, net, arch(), new SyntheticDataset("train", c.trainImages(), 24, 24, c.seed()),
                new SyntheticDataset("val", c.valImages(), 24, 24, c.seed()), l, stop, Device.CPU, seen::add).run();
    }

    static List<double[]> weights(Module m) {
        List<double[]> out = new ArrayList<>();
        for (Tensor t : m.stateDict().values()) out.add(Tensors.toDoubles(t));
        return out;
    }

    @Test void writesTheRunDirectoryAndTellsEachIterationBeforeItRuns() throws IOException {
        RetrainConfig c = tiny(5, 2, 60);
        List<Long> seen = new ArrayList<>();
        Path dir = tmp.resolve("run");
        try (Module m = net(1)) {
            RetrainLoop.Result r = run(c, dir, m, new RunListener() {}, new StopSignal(), seen);
            assertEquals(5, r.state().iteration());
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seen);
        for (String f : List.of(RunFiles.CONFIG, RunFiles.METRICS, RunFiles.ARCHITECTURE, EpochPlots.CURVES, "checkpoints/best.safetensors")) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        assertEquals(arch(), Architecture.read(dir.resolve(RunFiles.ARCHITECTURE)));
        List<String> metrics = Files.readAllLines(dir.resolve(RunFiles.METRICS));
        assertEquals(1 + 5 + 3, metrics.size(), "5 training rows and validations after iterations 2, 4 and 5");
        assertEquals(c, new RunFiles(dir).readJson(RunFiles.CONFIG, RetrainConfig.class));
    }

    @Test void theLossFallsOnTheSyntheticData() throws IOException {
        RetrainConfig c = tiny(30, 30, 60);
        List<Double> losses = new ArrayList<>();
        try (Module m = net(2)) {
            run(c, tmp.resolve("falls"), m, new RunListener() {
                @Override public void iteration(int e, long it, long total, double loss, double a, double lr) { losses.add(loss); }
            }, new StopSignal(), new ArrayList<>());
        }
        double first = (losses.get(0) + losses.get(1) + losses.get(2)) / 3, last = (losses.get(27) + losses.get(28) + losses.get(29)) / 3;
        assertTrue(last < first, "mean loss of the last three iterations " + last + " < first three " + first);
    }

    @Test void resumeAfterACrashEndsBitwiseWhereAnUninterruptedRunEnds() throws IOException {
        RetrainConfig everyIteration = tiny(7, 3, 1e-9);
        List<double[]> want;
        try (Module m = net(5)) {
            run(everyIteration, tmp.resolve("straight"), m, new RunListener() {}, new StopSignal(), new ArrayList<>());
            want = weights(m);
        }
        Path crashed = tmp.resolve("crashed");
        try (Module m = net(5)) {
            assertThrows(SearchLoopTest.Crash.class, () -> run(everyIteration, crashed, m, SearchLoopTest.crashAfter(5), new StopSignal(), new ArrayList<>()));
        }
        try (Module m = net(99)) { // other initial weights: everything must come from the checkpoint
            RetrainLoop.Result r = run(everyIteration, crashed, m, new RunListener() {}, new StopSignal(), new ArrayList<>());
            assertEquals(7, r.state().iteration());
            List<double[]> got = weights(m);
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), "tensor " + i);
        }
        assertEquals(SearchLoopTest.stripSeconds(tmp.resolve("straight").resolve(RunFiles.METRICS)),
                SearchLoopTest.stripSeconds(crashed.resolve(RunFiles.METRICS)));
    }

    @Test void aStopRequestCheckpointsAndTheRunContinuesLater() throws IOException {
        RetrainConfig c = tiny(4, 10, 60);
        StopSignal stop = new StopSignal();
        Path dir = tmp.resolve("stopped");
        try (Module m = net(3)) {
            RetrainLoop.Result r = run(c, dir, m, new RunListener() {
                @Override public void iteration(int e, long it, long total, double t, double a, double lr) { if (it == 1) stop.request(); }
            }, stop, new ArrayList<>());
            assertTrue(r.stopped());
        }
        assertEquals(1, new RunFiles(dir).checkpoints().size());
        List<Long> seen = new ArrayList<>();
        try (Module m = net(3)) {
            RetrainLoop.Result r = run(c, dir, m, new RunListener() {}, new StopSignal(), seen);
            assertFalse(r.stopped());
            assertEquals(4, r.state().iteration());
        }
        assertEquals(List.of(1L, 2L, 3L), seen);
    }

    @Test void aNonFiniteLossStopsWithTheIterationNamedAndNoCheckpointHoldsNaN() throws IOException {
        RetrainConfig c = tiny(6, 2, 60);
        Path dir = tmp.resolve("nan");
        try (Module m = net(4)) {
            RunListener poison = new RunListener() {
                @Override public void iteration(int e, long it, long total, double t, double a, double lr) {
                    if (it == 3) { // a weight goes bad after iteration 3, as an exploding step would make it
                        Tensor w = m.parameters().get(0);
                        double[] v = Tensors.toDoubles(w);
                        v[0] = Double.NaN;
                        Device.backendOf(w).write(w, v);
                    }
                }
            };
            RunFailed e = assertThrows(RunFailed.class, () -> run(c, dir, m, poison, new StopSignal(), new ArrayList<>()));
            assertTrue(e.getMessage().contains("iteration 4") && e.getMessage().contains("i000000002"), e.getMessage());
        }
        for (Path p : new RunFiles(dir).checkpoints()) {
            for (var entry : Safetensors.read(p).entries().entrySet()) {
                if (entry.getValue().f32() == null) continue;
                for (float v : entry.getValue().f32()) assertTrue(Float.isFinite(v), p + " " + entry.getKey());
            }
        }
    }

    @Test void theBatchOrderVisitsEveryTrainingImageOncePerPass() {
        RetrainConfig c = tiny(6, 10, 60);
        try (Module m = net(1)) {
            RetrainLoop loop = new RetrainLoop(c, tmp.resolve("order"), m, arch(), new SyntheticDataset("train", 6, 24, 24, 3),
                    new SyntheticDataset("val", 4, 24, 24, 3), new RunListener() {}, new StopSignal(), Device.CPU, i -> {});
            java.util.Set<Integer> pass = new java.util.TreeSet<>();
            for (long it = 0; it < 3; it++) for (int i : loop.batchIndices(it)) pass.add(i);
            assertEquals(java.util.Set.of(0, 1, 2, 3, 4, 5), pass);
            assertArrayEquals(loop.batchIndices(4), loop.batchIndices(4));
        }
    }
}
