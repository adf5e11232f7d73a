package adl.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The prefetching loader (datasets/README.md, "From files to batches"): reads and transforms the samples of batches
 * {@code start, start+1, …, end-1} on a small pool of daemon worker threads, ahead of the consumer,
 * and hands them out in order as {@link HostBatch}es.
 *
 * <p>Contracts:
 * <ul>
 * <li>Determinism: {@link #take}(t) returns exactly {@link #compute}(data, indices, transform, t),
 *     bit for bit, whatever the number of workers and their timing — the indices function and the
 *     transform must be pure (the same arguments give the same result), and {@code data.get}
 *     must be safe to call from several threads at once.</li>
 * <li>Resume: a loader started at k hands out what one started at 0 hands out at k.</li>
 * <li>Bounded memory: work is claimed one sample at a time, only for batches t with
 *     t &lt; next + depth, next = the batch the consumer takes next; so at most
 *     (depth + 1) batches exist at once (depth ahead plus the one the consumer holds), and at
 *     most (consumed + depth) × batch samples have been requested.</li>
 * <li>Errors: an exception thrown for a sample (by the indices function, {@code data.get}, the
 *     transform or the stacking) is rethrown by {@link #take} of the batch it belongs to — the same
 *     exception object, message intact, with a suppressed note naming the loader and batch.</li>
 * <li>{@link #close}: workers stop (interrupted, then joined); no thread outlives it.</li>
 * </ul>
 * With 0 workers no thread is started and {@link #take} computes the batch itself.
 */
public final class Loader implements AutoCloseable {
    private final String name;
    private final Dataset data;
    private final LongFunction<int[]> indices;
    private final SampleTransform transform;
    private final long end;
    private final int depth;
    private final List<Thread> workers = new ArrayList<>();

    private final Object lock = new Object();
    private final Map<Long, Pending> pending = new HashMap<>();
    private long next, claimIteration;
    private int claimSlot;
    /** The batch whose slots are being claimed (batch claimIteration once its slot 0 is claimed). */
    private Pending claiming;
    private boolean closed;
    private long waitNanos;

    /** One batch being made: its indices, finished slots, and the first error. */
    private static final class Pending {
        int[] indices;
        Sample[] samples;
        int remaining;
        HostBatch batch;
        Throwable error;

        boolean done() { return batch != null || error != null; }
    }

    /**
     * @param name      for thread names and messages, e.g. "search-a"
     * @param indices   batch t → the dataset indices of its samples (slot order)
     * @param transform applied to each sample with (index, t, slot)
     * @param start     first batch handed out
     * @param end       one past the last batch
     * @param depth     batches made ahead of the consumer (≥ 1)
     * @param workers   worker threads (0 = make each batch in {@link #take})
     */
    public Loader(String name, Dataset data, LongFunction<int[]> indices, SampleTransform transform, long start, long end,
                  int depth, int workers) {
        if (depth < 1 || workers < 0 || end < start) {
            throw new IllegalArgumentException("loader " + name + ": depth " + depth + ", workers " + workers
                    + ", batches [" + start + ", " + end + ") (needs depth >= 1, workers >= 0, start <= end)");
        }
        this.name = name;
        this.data = data;
        this.indices = indices;
        this.transform = transform;
        this.end = end;
        this.depth = depth;
        this.next = start;
        this.claimIteration = start;
        for (int i = 0; i < (start < end ? workers : 0); i++) {
            this.workers.add(Thread.ofPlatform().daemon().name("adl-loader-" + name + "-" + i).start(this::work));
        }
    }

    /** A worker count for a machine with {@code cores} cores: a quarter of them, between 1 and 4. */
    public static int defaultWorkers(int cores) { return Math.max(1, Math.min(4, cores / 4)); }

    /** Batch {@code iteration}, made synchronously: the definition {@link #take} reproduces. */
    public static HostBatch compute(Dataset data, LongFunction<int[]> indices, SampleTransform transform, long iteration) {
        int[] idx = indices.apply(iteration);
        Sample[] samples = new Sample[idx.length];
        for (int k = 0; k < idx.length; k++) samples[k] = transform.apply(data.get(idx[k]), idx[k], iteration, k);
        return HostBatch.stack(data.name(), iteration, samples);
    }

    /**
     * Batch {@code iteration}, waiting for it if it is not ready. Batches must be taken in order.
     *
     * @throws IllegalStateException when {@code iteration} is not the next batch, or after close
     */
    public HostBatch take(long iteration) {
        Pending p;
        synchronized (lock) {
            if (closed) throw new IllegalStateException("loader " + name + " is closed");
            if (iteration != next || iteration >= end) {
                throw new IllegalStateException("loader " + name + ": asked for batch " + iteration + ", the next one is "
                        + (next < end ? next : "none (it ends at " + end + ")"));
            }
            if (workers.isEmpty()) {
                next++;
                p = null;
            } else {
                long t0 = System.nanoTime();
                while (!done(iteration)) {
                    if (closed) throw new IllegalStateException("loader " + name + " closed while waiting for batch " + iteration);
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("loader " + name + ": interrupted waiting for batch " + iteration, e);
                    }
                }
                waitNanos += System.nanoTime() - t0;
                p = pending.remove(iteration);
                next++;
                lock.notifyAll();
            }
        }
        if (p == null) {
            long t0 = System.nanoTime();
            try {
                return compute(data, indices, transform, iteration);
            } finally {
                synchronized (lock) {
                    waitNanos += System.nanoTime() - t0;
                }
            }
        }
        if (p.error != null) {
            p.error.addSuppressed(new IllegalStateException("rethrown by loader " + name + " for batch " + iteration));
            if (p.error instanceof RuntimeException r) throw r;
            if (p.error instanceof Error e) throw e;
            throw new IllegalStateException(p.error.getMessage(), p.error);
        }
        return p.batch;
    }

    private boolean done(long iteration) {
        Pending p = pending.get(iteration);
        return p != null && p.done();
    }

    /** Total time the consumer spent in {@link #take} waiting (with 0 workers: making the batches), in nanoseconds. */
    public long waitNanos() {
        synchronized (lock) {
            return waitNanos;
        }
    }

    /** The worker threads (empty after close or with 0 workers), for tests. */
    List<Thread> threads() { return List.copyOf(workers); }

    /** Worker: claim the next sample of a batch within the window, make it, file it; the last slot stacks the batch. */
    private void work() {
        while (true) {
            long it;
            int slot, index;
            Pending p;
            synchronized (lock) {
                while (!closed && !(claimIteration < end && claimIteration < next + depth)) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        if (closed) return;
                    }
                }
                if (closed) return;
                it = claimIteration;
                slot = claimSlot;
                if (slot == 0) {
                    claiming = new Pending();
                    pending.put(it, claiming);
                    start(claiming, it);
                }
                p = claiming;
                if (p.error != null) { // failed: its remaining slots are not worth reading
                    claimSlot = 0;
                    claimIteration++;
                    lock.notifyAll();
                    continue;
                }
                index = p.indices[slot];
                if (++claimSlot == p.indices.length) {
                    claimSlot = 0;
                    claimIteration++;
                }
            }
            Sample s = null;
            Throwable error = null;
            try {
                s = transform.apply(data.get(index), index, it, slot);
            } catch (Throwable e) {
                error = e;
            }
            if (!file(p, it, slot, s, error)) return;
        }
    }

    /** Under the lock: the indices of batch {@code it}, or the batch failed with the reason they cannot be had. */
    private void start(Pending p, long it) {
        try {
            int[] idx = indices.apply(it);
            if (idx.length == 0) throw new IllegalArgumentException(data.name() + ": batch " + it + " has no samples");
            p.indices = idx;
            p.samples = new Sample[idx.length];
            p.remaining = idx.length;
        } catch (RuntimeException | Error e) {
            p.error = e;
        }
    }

    /** Files slot {@code slot} of batch {@code it}; stacks the batch when it was the last. False when the loader closed. */
    private boolean file(Pending p, long it, int slot, Sample s, Throwable error) {
        Sample[] full = null;
        synchronized (lock) {
            if (closed) return false;
            if (error != null && p.error == null) p.error = error;
            p.samples[slot] = s;
            if (--p.remaining == 0 && p.error == null) full = p.samples;
            if (p.error != null) lock.notifyAll();
        }
        if (full == null) return true;
        HostBatch batch = null;
        Throwable stackError = null;
        try {
            batch = HostBatch.stack(data.name(), it, full);
        } catch (RuntimeException | Error e) {
            stackError = e;
        }
        synchronized (lock) {
            if (closed) return false;
            p.batch = batch;
            p.error = stackError;
            p.samples = null;
            lock.notifyAll();
        }
        return true;
    }

    /** Stops the workers and waits for them to end; pending batches are dropped. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            pending.clear();
            lock.notifyAll();
        }
        for (Thread t : workers) t.interrupt();
        boolean interrupted = false;
        for (Thread t : workers) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        workers.clear();
        if (interrupted) Thread.currentThread().interrupt();
    }
}
