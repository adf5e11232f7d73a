package adl.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Process-wide counters of live storages and their bytes, per allocator kind. The backends
 * report every allocation and free here; tests assert that a training step leaves the counters
 * where they started, and benchmarks read the high-water mark.
 */
public final class MemoryStats {
    private static final AtomicLong liveStorages = new AtomicLong();
    private static final AtomicLong liveBytes = new AtomicLong();
    private static final AtomicLong peakBytes = new AtomicLong();

    private MemoryStats() {}

    public static void allocated(long bytes) {
        liveStorages.incrementAndGet();
        long now = liveBytes.addAndGet(bytes);
        peakBytes.accumulateAndGet(now, Math::max);
    }

    public static void freed(long bytes) {
        liveStorages.decrementAndGet();
        liveBytes.addAndGet(-bytes);
    }

    /** Storages allocated and not yet freed. */
    public static long liveStorages() { return liveStorages.get(); }

    /** Bytes of the live storages. */
    public static long liveBytes() { return liveBytes.get(); }

    /** Highest liveBytes() seen since the last {@link #resetPeak()}. */
    public static long peakBytes() { return peakBytes.get(); }

    public static void resetPeak() { peakBytes.set(liveBytes.get()); }
}
