package adl.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs the tasks 0..n-1 of a kernel on the calling thread and a team of worker threads.
 * Determinism rule: a kernel splits its work into tasks by the problem's shape alone (never by
 * the thread count), each task writes its own outputs, and reductions across tasks are combined
 * by the caller in task order. Then the result is bitwise the same for 1 or N threads, whichever
 * thread runs which task.
 *
 * <p>Hand-off: the search's kernels at CPU sizes last 5–50 µs, and waking a parked thread costs
 * about as much, so a fork-join pool made a second thread a loss (docs/performance.md). Here the
 * calling thread publishes the job and starts claiming tasks itself; the workers, which spin for
 * a while after each job before they park, claim the rest. A worker slow to wake therefore never
 * delays the caller beyond the task it has claimed; the caller waits only for tasks already
 * running elsewhere.
 */
public final class Parallel {
    /** Below this many scalar operations in total, tasks run on the calling thread. */
    static final long MIN_PARALLEL_WORK = 1L << 13;

    /** How long an idle worker spins for the next job before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private static volatile int threads = Integer.getInteger("adl.threads", Runtime.getRuntime().availableProcessors());
    private static volatile Team team = new Team(Math.max(1, threads));

    private Parallel() {}

    /** Sets the number of threads (>= 1), the calling thread included. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        Team old = team;
        team = new Team(n);
        threads = n;
        old.shutdown();
    }

    public static int threads() { return threads; }

    /**
     * Runs {@code task.accept(i)} for i in [0, n). {@code workPerTask} is a rough count of scalar
     * operations per task, used only to decide whether threading is worth its overhead. Called
     * from inside a task, or while another thread uses the team, the tasks run in order on the
     * calling thread.
     */
    public static void forEach(int n, long workPerTask, IntConsumer task) {
        int per = (int) Math.max(1, Math.min(n, CLAIM_WORK / Math.max(1, workPerTask)));
        int claims = (n + per - 1) / per;
        if (claims > 1) per = (n + claims - 1) / claims;   // the same number of claims, evened out (128 tasks: 64 + 64, not 113 + 15)
        if (claims <= 1 || threads == 1 || (long) n * workPerTask < MIN_PARALLEL_WORK
                || Thread.currentThread() instanceof Worker || !team.tryRun(n, per, claims, task)) {
            for (int i = 0; i < n; i++) task.accept(i);
        }
    }

    /**
     * Work (scalar operations) a thread takes per claim: tasks lighter than this are claimed several
     * at a time, consecutive ones, so that 128 planes of a 2x2 pooling are not 128 contended atomic
     * claims. Which tasks share a claim depends on n and workPerTask only; each task still writes its
     * own outputs, so the bits do not depend on it either.
     */
    static final long CLAIM_WORK = 1L << 12;

    /**
     * One forEach call: claims of {@code per} consecutive tasks are taken one by one from
     * {@code next}; {@code done} counts finished claims.
     */
    private static final class Job {
        final int n, per, claims;
        final IntConsumer task;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(int n, int per, int claims, IntConsumer task) {
            this.n = n;
            this.per = per;
            this.claims = claims;
            this.task = task;
        }

        /** Claims and runs tasks until none are left. */
        void participate() {
            for (int c; (c = next.getAndIncrement()) < claims; ) {
                try {
                    for (int i = c * per, end = Math.min(n, i + per); i < end; i++) task.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /** threads − 1 daemon workers and the job they serve; one forEach at a time. */
    private static final class Team {
        final Worker[] workers;
        final AtomicBoolean busy = new AtomicBoolean();
        volatile Job job;
        volatile boolean stopped;

        Team(int threads) {
            workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        /** Runs the job with the workers; false (nothing run) when another thread is using the team. */
        boolean tryRun(int n, int per, int claims, IntConsumer task) {
            if (workers.length == 0 || !busy.compareAndSet(false, true)) return false;
            Job j = new Job(n, per, claims, task);
            try {
                job = j;
                for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
                j.participate();
                while (j.done.get() < claims) Thread.onSpinWait(); // only claims already running elsewhere
            } finally {
                busy.set(false);
            }
            Throwable t = j.failure;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
            return true;
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    /** A team member: runs the team's jobs as they appear, spinning between jobs, then parking. */
    private static final class Worker extends Thread {
        private final Team team;
        volatile boolean parked;

        Worker(Team team, int index) {
            super("adl-cpu-" + (index + 1));
            this.team = team;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (!team.stopped) {
                Job j = team.job;
                if (j != null && j != seen) {
                    seen = j;
                    j.participate();
                    continue;
                }
                long since = System.nanoTime();
                while (team.job == seen && !team.stopped) {
                    if (System.nanoTime() - since < SPIN_NANOS) {
                        Thread.onSpinWait();
                        continue;
                    }
                    parked = true;
                    if (team.job == seen && !team.stopped) LockSupport.park(this);
                    parked = false;
                    since = System.nanoTime();
                }
            }
        }
    }
}
