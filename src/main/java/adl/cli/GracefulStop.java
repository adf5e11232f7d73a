package adl.cli;

import adl.train.StopSignal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a training command: asks the loop to stop after its step
 * (through {@link #signal()}), then holds the JVM's shutdown until the checkpoint is written and
 * the command has printed its last line ({@link #close()}). A run that ends normally removes the
 * hook with {@link #disarm()}.
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
