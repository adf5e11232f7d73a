package adl.train;

import adl.dist.ThreadRanks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data-parallel search on 2 thread ranks (each holding 1 sample of the global batch of 2,
 * synchronised batch norm) against one process with the batch of 2: the same losses, α and β up to
 * float rounding (summation order differs), the same decoded architecture, and only rank 0 writes.
 * Tolerances: losses 1e-5 relative (measured 5.5e-7), α and β 1e-5 absolute (measured 9.9e-7; Adam
 * moves them 3e-3 a step). Float32 rounding grows fast in this supernet — the image-pooling batch
 * norm normalises 2 values, whose backward cancels almost exactly — so the run is 2 iterations, both
 * with an architecture step, at lr 0.001 (DataParallelGradientTest checks the maths in float64 to
 * 1e-9). Every number here is deterministic: the same inputs give the same bits on every run.
 */
class DataParallelSearchTest {
    @TempDir Path tmp;

    /** {losses per iteration (weight, arch), α, β} of a run. */
    record Outcome(List<double[]> losses, List<double[]> arch, adl.nas.Architecture architecture) {}

    static Outcome search(SearchConfig c, Path dir, DataParallel p) { return search(c, dir, p, Long.MAX_VALUE); }

    /** The run, asked to stop after iteration {@code stopAfter}. */
    static Outcome search(SearchConfig c, Path dir, DataParallel p, long stopAfter) {
        List<double[]> losses = new ArrayList<>();
        StopSignal stop = new StopSignal();
        RunListener l = new RunListener() {
            @Override public void iteration(int epoch, long it, long total, double t, double a, double lr) {
                losses.add(new double[] {t, a});
                if (it >= stopAfter) stop.request();
            }
        };
        try (SearchLoop s = SearchLoopTest.loop(c, dir, l, stop).distribute(p)) {
            SearchLoop.Result r = s.run();
            return new Outcome(losses, s.archValues(), r.architecture());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test void twoRanksEqualOneProcess() throws Exception {
        SearchConfig c = new SearchConfig("synthetic", null, 1.0, "cpu", 2, 2, 2, 24, 2, 2, 0, 1,
                0.001, 0.0001, 0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 8, 4, 0, 2, 60, 3);
        Outcome one = search(c, tmp.resolve("one"), DataParallel.SINGLE);
        List<Outcome> two = ThreadRanks.run(2, ranks -> search(c, tmp.resolve("two"), new DataParallel(ranks, true)));
        assertEquals(one.losses().size(), two.get(0).losses().size());
        for (int i = 0; i < one.losses().size(); i++) {
            for (int r = 0; r < 2; r++) {
                assertArrayEquals(one.losses().get(i), two.get(r).losses().get(i), 1e-5 * Math.abs(one.losses().get(i)[0]),
                        "losses of iteration " + (i + 1) + " on rank " + r);
            }
            assertArrayEquals(two.get(0).losses().get(i), two.get(1).losses().get(i), 0.0, "both ranks report the same bits");
        }
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(one.arch().get(k), two.get(0).arch().get(k), 1e-5, k == 0 ? "alpha" : "beta");
            assertArrayEquals(two.get(0).arch().get(k), two.get(1).arch().get(k), 0.0, "the same bits on both ranks");
        }
        assertEquals(one.architecture(), two.get(0).architecture());
        assertEquals(Files.readString(tmp.resolve("one/architecture.json")), Files.readString(tmp.resolve("two/architecture.json")));
        assertTrue(Files.exists(tmp.resolve("two/checkpoints/best.safetensors")));
    }

    @Test void withoutSyncBnTheRanksStillAgreeButDifferFromOneProcess() throws Exception {
        SearchConfig c = new SearchConfig("synthetic", null, 1.0, "cpu", 2, 2, 2, 24, 4, 1, 0, 1,
                0.025, 0.001, 0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 8, 4, 7, 2, 60, 3);
        Outcome one = search(c, tmp.resolve("one"), DataParallel.SINGLE, 1);
        List<Outcome> two = ThreadRanks.run(2, ranks -> search(c, tmp.resolve("two"), new DataParallel(ranks, false), 1));
        assertArrayEquals(two.get(0).arch().get(0), two.get(1).arch().get(0), 0.0, "the same bits on both ranks");
        assertFalse(Math.abs(one.losses().get(0)[0] - two.get(0).losses().get(0)[0]) < 1e-6,
                "per-rank statistics of 2 samples are another normalisation: the first loss differs");
    }

    @Test void aStopAskedOfOneRankStopsEveryRankAtTheSameIteration() throws Exception {
        SearchConfig c = new SearchConfig("synthetic", null, 1.0, "cpu", 2, 2, 2, 24, 2, 1, 1, 3,
                0.001, 0.0001, 0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 8, 4, 0, 2, 60, 3);
        List<SearchState> states = ThreadRanks.run(2, ranks -> {
            StopSignal stop = new StopSignal();
            RunListener l = new RunListener() {
                @Override public void iteration(int epoch, long it, long total, double t, double a, double lr) {
                    if (ranks.rank() == 1 && it == 1) stop.request(); // Ctrl-C reached rank 1 only
                }
            };
            try (SearchLoop s = SearchLoopTest.loop(c, tmp.resolve("stop"), l, stop).distribute(new DataParallel(ranks, true))) {
                SearchLoop.Result r = s.run();
                assertTrue(r.stopped(), "rank " + ranks.rank() + " stopped");
                return r.state();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(1, states.get(0).iteration(), "both ranks stop after iteration 1");
        assertEquals(states.get(0).iteration(), states.get(1).iteration());
        assertEquals(states.get(0).epoch(), states.get(1).epoch());
        assertTrue(Files.exists(tmp.resolve("stop/checkpoints/ckpt-e0000-i000000001.safetensors")), "rank 0 wrote the checkpoint");
    }

    @Test void refusesABatchTheRanksCannotShare() throws Exception {
        SearchConfig c = new SearchConfig("synthetic", null, 1.0, "cpu", 2, 2, 2, 24, 3, 1, 1, 0,
                0.025, 0.001, 0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 8, 4, 7, 2, 60, 3);
        List<String> messages = ThreadRanks.run(2, ranks -> {
            try (SearchLoop s = SearchLoopTest.loop(c, tmp.resolve("x"), new RunListener() {}, new StopSignal())) {
                return assertThrows(IllegalArgumentException.class, () -> s.distribute(new DataParallel(ranks, true))).getMessage();
            }
        });
        assertEquals("--batch 3 is the global batch and must divide evenly over the 2 processes", messages.get(0));
    }
}
