package adl.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request to stop a run cleanly (Ctrl-C): the loop finishes its current step, writes a
 * checkpoint and returns; whoever asked can wait until that is done.
 */
public final class StopSignal {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    public void request() { requested.set(true); }

    public boolean requested() { return requested.get(); }

    /** Called by the loop when it has stopped (for whatever reason) and its files are safe. */
    public void finished() { finished.countDown(); }

    /** Waits up to {@code seconds} for the loop to stop; true if it did. */
    public boolean awaitFinished(long seconds) throws InterruptedException { return finished.await(seconds, TimeUnit.SECONDS); }
}
