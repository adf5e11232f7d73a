package adl.cli;

import adl.train.StopSignal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a training command: asks the loop to stop after its step
 * (through {@link #signal()}), then holds the JVM's shutdown until the checkpoint is written and
 * the command has printed its last line ({@link #close()}). A run that ends normally removes the
 * hook with {@link #disarm()}.
 *
 * <p>Under Open MPI's {@code mpirun} the ranks sit in process groups of their own, so the terminal's
 * Ctrl-C reaches mpirun only; mpirun (4.1) then sends every rank SIGCONT, waits
 * {@code odls_base_sigkill_timeout} seconds (T, default 1), sends SIGTERM, waits T again and sends
 * SIGKILL (measured: docs/08-data-parallel.md §7). So a rank of an Open MPI job also takes SIGCONT,
 * the first sign of Ctrl-C, as the stop request: the ranks agree on it at the next iteration boundary
 * and rank 0 writes the checkpoint, which has 2T to happen.
 */
final class GracefulStop implements AutoCloseable {
    private final StopSignal stop = new StopSignal();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    GracefulStop(String name) {
        hook = new Thread(() -> {
            stop.request();
            try {
                done.await(300, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
        if (Job.world().parallel() && "Open MPI".equals(Job.world().launcher())) onMpirunStop(stop);
    }

    /**
     * SIGCONT = mpirun is ending the job. Nothing else sends it to a rank: the ranks are not in the
     * terminal's process group, and mpirun forwards job control (SIGTSTP/SIGCONT) only with
     * {@code orte_forward_job_control}, which the help of {@link Job#mpirunStopNote} does not use.
     */
    @SuppressWarnings("removal")
    private static void onMpirunStop(StopSignal stop) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("CONT"), s -> stop.request());
        } catch (IllegalArgumentException ignored) {
            // a JVM that reserves SIGCONT: SIGTERM (T seconds later) still asks for the stop
        }
    }

    StopSignal signal() { return stop; }

    /** The run finished by itself: a later Ctrl-C just ends the process. */
    void disarm() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    /** Lets a pending shutdown go on. */
    @Override public void close() { done.countDown(); }
}
