package adl.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The worker team runs every task exactly once, whether tasks are claimed one by one or several at a time. */
class ParallelTest {
    @Test void everyTaskRunsOnceForAnyClaimSize() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                for (int n : new int[] {0, 1, 2, 7, 128, 1000}) {
                    for (long work : new long[] {1, 72, 4096, 100_000}) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(n, 1));
                        Parallel.forEach(n, work, i -> runs.incrementAndGet(i));
                        for (int i = 0; i < n; i++) assertEquals(1, runs.get(i), "task " + i + " of " + n + ", work " + work + ", threads " + threads);
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test void aFailingTaskFailsTheCallAndTheTeamStaysUsable() {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(64, 1000, i -> {
                if (i == 37) throw new IllegalStateException("task 37");
            }));
            assertEquals("task 37", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(64);
            Parallel.forEach(64, 1000, i -> runs.incrementAndGet(i));
            for (int i = 0; i < 64; i++) assertEquals(1, runs.get(i));
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
