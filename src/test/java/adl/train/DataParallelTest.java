package adl.train;

import adl.data.HostBatch;
import adl.dist.ThreadRanks;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The split of docs/08-data-parallel.md §2–3 on 2 thread ranks: shards, global slots, loss weights, the start check. */
class DataParallelTest {
    static HostBatch labels(int... l) { return new HostBatch(0, 1, 1, l.length, new float[3 * l.length], l); }

    @Test void shardsAreTheGlobalBatchInRankOrder() throws Exception {
        List<int[]> shards = ThreadRanks.run(2, c -> new DataParallel(c, true).shard(new int[] {7, 3, 9, 1}));
        assertArrayEquals(new int[] {7, 3}, shards.get(0));
        assertArrayEquals(new int[] {9, 1}, shards.get(1));
        List<Long> slots = ThreadRanks.run(2, c -> slotOf(new DataParallel(c, true)));
        assertEquals(List.of(1L, 3L), slots, "local slot 1 is global slot rank·2 + 1");
    }

    static long slotOf(DataParallel p) {
        long[] seen = new long[1];
        p.globalSlots((s, index, iteration, slot) -> { seen[0] = slot; return s; }, 4).apply(null, 0, 0, 1);
        return seen[0];
    }

    @Test void lossWeightsAreSharesOfTheValidPixels() throws Exception {
        // rank 0: 3 valid pixels of 4; rank 1: 1 of 4 (255 = ignored)
        List<double[]> w = ThreadRanks.run(2, c -> new DataParallel(c, true).lossWeights(c.rank() == 0 ? labels(0, 1, 255, 2) : labels(255, 255, 4, 255)));
        assertArrayEquals(new double[] {0.75}, w.get(0), 0.0);
        assertArrayEquals(new double[] {0.25}, w.get(1), 0.0);
        List<double[]> none = ThreadRanks.run(2, c -> new DataParallel(c, true).lossWeights(labels(255, 255)));
        assertArrayEquals(new double[] {0}, none.get(0), 0.0, "no valid pixel anywhere: weight 0 (the loss is 0)");
        assertArrayEquals(new double[] {1}, DataParallel.SINGLE.lossWeights(labels(255)), 0.0);
    }

    @Test void ranksThatWouldStartAtDifferentIterationsRefuse() throws Exception {
        List<String> msgs = ThreadRanks.run(2, c -> {
            try {
                new DataParallel(c, true).agreeOnStart(c.rank() == 0 ? 4 : 2, Path.of("runs/x"));
                return "agreed";
            } catch (RunFailed e) {
                return e.getMessage();
            }
        });
        assertEquals("rank 1 would start at iteration 2 but the ranks disagree (mean 3.0): do all ranks see the same run directory runs/x?", msgs.get(1));
        List<String> same = ThreadRanks.run(2, c -> {
            new DataParallel(c, true).agreeOnStart(5, Path.of("runs/x"));
            return "agreed";
        });
        assertEquals(List.of("agreed", "agreed"), same);
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> ThreadRanks.run(2, c -> new DataParallel(c, true).localBatch(3)));
        assertEquals("--batch 3 is the global batch and must divide evenly over the 2 processes", e.getCause().getMessage());
    }
}
