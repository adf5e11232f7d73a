package adl.data;

import adl.backend.Device;
import adl.backend.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prefetching loader against the synchronous definition ({@link Loader#compute}), on a dataset
 * whose get() sleeps a random few milliseconds so that workers finish out of order.
 */
class LoaderTest {
    static final int BATCH = 3;
    static final SyntheticDataset DATA = new SyntheticDataset("train", 10, 24, 24, 5);
    static final SampleTransform AUGMENT = SampleTransform.augment(Augment.deeplab(16), 7);
    /** Batch t: positions t·BATCH.. of a pass over the set, a fresh rotation per pass. */
    static final LongFunction<int[]> ORDER = t -> {
        int[] out = new int[BATCH];
        for (int k = 0; k < BATCH; k++) {
            long p = t * BATCH + k;
            out[k] = (int) ((p + 3 * (p / DATA.size())) % DATA.size());
        }
        return out;
    };

    /** DATA with a random delay per get(), a request counter, and an unreadable file at {@code badIndex}. */
    static final class SlowData implements Dataset {
        final AtomicInteger requests = new AtomicInteger();
        final int maxSleepMs, badIndex;

        SlowData(int maxSleepMs, int badIndex) {
            this.maxSleepMs = maxSleepMs;
            this.badIndex = badIndex;
        }

        @Override public String name() { return DATA.name(); }
        @Override public int size() { return DATA.size(); }
        @Override public List<String> classes() { return DATA.classes(); }
        @Override public int[][] palette() { return DATA.palette(); }

        @Override
        public Sample get(int index) {
            requests.incrementAndGet();
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(maxSleepMs + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (index == badIndex) throw new UncheckedIOException(new IOException("/data/images/bad_" + index + ".png: truncated PNG (IEND missing)"));
            return DATA.get(index);
        }
    }

    static void assertSame(HostBatch expected, HostBatch actual) {
        assertEquals(expected.iteration(), actual.iteration());
        assertEquals(expected.size(), actual.size());
        assertEquals(expected.height(), actual.height());
        assertArrayEquals(expected.images(), actual.images(), "images of batch " + expected.iteration());
        assertArrayEquals(expected.labels(), actual.labels(), "labels of batch " + expected.iteration());
    }

    @ParameterizedTest @ValueSource(ints = {0, 1, 2, 4})
    void batchesComeInOrderAndEqualTheSynchronousOnes(int workers) {
        try (Loader l = new Loader("t", new SlowData(4, -1), ORDER, AUGMENT, 0, 12, 2, workers)) {
            for (long t = 0; t < 12; t++) assertSame(Loader.compute(DATA, ORDER, AUGMENT, t), l.take(t));
            assertTrue(l.waitNanos() > 0);
        }
    }

    @Test void startingAtKGivesWhatAnUninterruptedRunGivesAtK() {
        List<HostBatch> whole = new ArrayList<>();
        try (Loader l = new Loader("whole", new SlowData(2, -1), ORDER, AUGMENT, 0, 9, 3, 2)) {
            for (long t = 0; t < 9; t++) whole.add(l.take(t));
        }
        try (Loader l = new Loader("resumed", new SlowData(2, -1), ORDER, AUGMENT, 5, 9, 3, 2)) {
            for (long t = 5; t < 9; t++) assertSame(whole.get((int) t), l.take(t));
        }
    }

    @Test void requestsStayWithinDepthBatchesAheadOfTheConsumer() throws InterruptedException {
        SlowData counting = new SlowData(1, -1);
        int depth = 2;
        try (Loader l = new Loader("bounded", counting, ORDER, AUGMENT, 0, 20, depth, 4)) {
            waitFor(() -> counting.requests.get() >= depth * BATCH);
            Thread.sleep(150);
            assertEquals(depth * BATCH, counting.requests.get(), "samples requested before the first take");
            for (int taken = 1; taken <= 20; taken++) {
                l.take(taken - 1);
                int bound = Math.min(20, taken + depth) * BATCH;
                assertTrue(counting.requests.get() <= bound, counting.requests.get() + " samples requested after " + taken + " batches taken, bound " + bound);
                if (taken == 5) {
                    waitFor(() -> counting.requests.get() >= bound);
                    Thread.sleep(100);
                    assertEquals(bound, counting.requests.get(), "the loader refills to depth and stops there");
                }
            }
        }
    }

    @Test void aWorkerErrorIsRethrownAtItsBatchWithTheFileNamed() {
        int bad = ORDER.apply(3)[0];
        for (long t = 0; t < 3; t++) assertFalse(java.util.Arrays.stream(ORDER.apply(t)).anyMatch(i -> i == bad), "index first read in batch 3");
        try (Loader l = new Loader("err", new SlowData(3, bad), ORDER, AUGMENT, 0, 12, 3, 2)) {
            for (long t = 0; t < 3; t++) assertSame(Loader.compute(DATA, ORDER, AUGMENT, t), l.take(t));
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> l.take(3));
            assertEquals("java.io.IOException: /data/images/bad_" + bad + ".png: truncated PNG (IEND missing)", e.getMessage());
            assertTrue(e.getSuppressed()[0].getMessage().contains("loader err for batch 3"), e.getSuppressed()[0].getMessage());
            assertSame(Loader.compute(DATA, ORDER, AUGMENT, 4), l.take(4));
            assertTrue(java.util.Arrays.stream(ORDER.apply(5)).anyMatch(i -> i == bad));
            assertThrows(UncheckedIOException.class, () -> l.take(5));
            assertSame(Loader.compute(DATA, ORDER, AUGMENT, 6), l.take(6));
            assertTrue(l.threads().stream().allMatch(Thread::isAlive), "workers survive a failed batch");
        }
    }

    @Test void anErrorInTheIndicesIsRethrownToo() {
        LongFunction<int[]> broken = t -> {
            if (t == 2) throw new IllegalArgumentException("no order for batch 2");
            return ORDER.apply(t);
        };
        try (Loader l = new Loader("idx", DATA, broken, AUGMENT, 0, 4, 2, 2)) {
            l.take(0);
            l.take(1);
            assertEquals("no order for batch 2", assertThrows(IllegalArgumentException.class, () -> l.take(2)).getMessage());
        }
    }

    @Test void closeStopsEveryWorkerEvenMidRead() {
        Loader l = new Loader("closing", new SlowData(50, -1), ORDER, AUGMENT, 0, 100, 4, 3);
        l.take(0);
        List<Thread> threads = l.threads();
        assertEquals(3, threads.size());
        assertTrue(threads.stream().allMatch(t -> t.isDaemon() && t.getName().startsWith("adl-loader-closing-")));
        l.close();
        assertTrue(threads.stream().noneMatch(Thread::isAlive), "a worker outlived close()");
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("adl-loader-closing-")));
        assertThrows(IllegalStateException.class, () -> l.take(1));
        l.close();
    }

    @Test void batchesMustBeTakenInOrder() {
        try (Loader l = new Loader("order", DATA, ORDER, AUGMENT, 3, 6, 2, 1)) {
            assertThrows(IllegalStateException.class, () -> l.take(4));
            l.take(3);
            assertThrows(IllegalStateException.class, () -> l.take(3));
        }
        try (Loader empty = new Loader("empty", DATA, ORDER, AUGMENT, 6, 6, 2, 2)) {
            assertTrue(empty.threads().isEmpty());
            assertThrows(IllegalStateException.class, () -> empty.take(6));
        }
    }

    @Test void theSearchFlipRuleIsTheRuleOfBatchOf() {
        SampleTransform flip = SampleTransform.seededFlip(11, t -> t / 4);
        for (long t = 0; t < 8; t++) {
            int[] idx = ORDER.apply(t);
            Batch expected = Batch.of(DATA, idx, Device.CPU, 11, (int) (t / 4), true);
            Batch actual = Batch.of(Loader.compute(DATA, ORDER, flip, t), Device.CPU);
            assertArrayEquals(Tensors.toDoubles(expected.images()), Tensors.toDoubles(actual.images()));
            assertArrayEquals(Tensors.toDoubles(expected.labels()), Tensors.toDoubles(actual.labels()));
        }
        int mirrored = 0;
        for (int i = 0; i < DATA.size(); i++) mirrored += (int) (SyntheticDataset.mix(11, 0, i) & 1);
        assertTrue(mirrored > 0 && mirrored < DATA.size(), "both branches of the rule are exercised");
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting");
            Thread.sleep(5);
        }
    }
}
