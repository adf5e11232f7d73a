package adl.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Runs the tasks 0..n-1 of a kernel on a fixed pool of worker threads. Determinism rule: a
 * kernel splits its work into tasks by the problem's shape alone (never by the thread count),
 * each task writes its own outputs, and reductions across tasks are combined by the caller in
 * task order. Then the result is bitwise the same for 1 or N threads and on every run.
 */
public final class Parallel {
    /** Below this many scalar operations in total, tasks run on the calling thread. */
    static final long MIN_PARALLEL_WORK = 1L << 15;

    private static volatile int threads = Integer.getInteger("adl.threads", Runtime.getRuntime().availableProcessors());
    private static volatile ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));

    private Parallel() {}

    /** Sets the number of worker threads (>= 1). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = new ForkJoinPool(n);
        threads = n;
        old.shutdown();
    }

    public static int threads() { return threads; }

    /**
     * Runs {@code task.accept(i)} for i in [0, n). {@code workPerTask} is a rough count of scalar
     * operations per task, used only to decide whether threading is worth its overhead.
     */
    public static void forEach(int n, long workPerTask, IntConsumer task) {
        int t = threads;
        if (n <= 1 || t == 1 || (long) n * workPerTask < MIN_PARALLEL_WORK || java.util.concurrent.ForkJoinTask.getPool() == pool) {
            for (int i = 0; i < n; i++) task.accept(i);
            return;
        }
        int chunks = Math.min(n, t);
        pool.invoke(new Range(0, n, chunks, task));
    }

    /** Splits [lo, hi) into {@code chunks} contiguous parts, one per worker. */
    private static final class Range extends RecursiveAction {
        private final int lo, hi, chunks;
        private final IntConsumer task;

        Range(int lo, int hi, int chunks, IntConsumer task) {
            this.lo = lo;
            this.hi = hi;
            this.chunks = chunks;
            this.task = task;
        }

        @Override
        protected void compute() {
            if (chunks <= 1) {
                for (int i = lo; i < hi; i++) task.accept(i);
                return;
            }
            int leftChunks = chunks / 2;
            int mid = lo + (int) ((long) (hi - lo) * leftChunks / chunks);
            invokeAll(new Range(lo, mid, leftChunks, task), new Range(mid, hi, chunks - leftChunks, task));
        }
    }
}
