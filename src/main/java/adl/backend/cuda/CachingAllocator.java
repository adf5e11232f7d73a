package adl.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching device allocator (DESIGN §3): freed blocks are kept, keyed by their rounded size,
 * and handed out again — a training step repeats the same shapes, so after the first step no
 * driver allocation happens. Tracks bytes in use and its high-water mark (the "peak device
 * memory" of the benchmarks). When the driver reports out-of-memory, the cache is released and
 * the allocation retried once; if it still fails, the error names the sizes involved.
 *
 * <p>Not thread-safe by itself: one stream, one owner (the CUDA backend synchronises).
 */
public final class CachingAllocator {
    /** What actually allocates: cuMemAlloc_v2 / cuMemFree_v2 on a GPU, a fake in tests. */
    public interface DeviceMemory {
        /** A device pointer to {@code bytes} bytes, or 0 when the device is out of memory. */
        long allocate(long bytes);

        void free(long pointer);
    }

    /** Thrown when the device cannot hold a requested block even after the cache was released. */
    public static final class OutOfDeviceMemory extends RuntimeException {
        public OutOfDeviceMemory(String message) { super(message); }
    }

    /** Blocks are rounded up to this granularity (bytes), as cudaMalloc's own alignment. */
    static final long GRANULE = 512;

    private final DeviceMemory device;
    private final Map<Long, ArrayDeque<Long>> cached = new HashMap<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();
    private long inUse, peak, cachedBytes, driverAllocations;

    public CachingAllocator(DeviceMemory device) { this.device = device; }

    static long round(long bytes) {
        if (bytes <= 0) return GRANULE;
        return (bytes + GRANULE - 1) / GRANULE * GRANULE;
    }

    /** A block of at least {@code bytes} bytes. */
    public long allocate(long bytes) {
        long size = round(bytes);
        ArrayDeque<Long> q = cached.get(size);
        long p;
        if (q != null && !q.isEmpty()) {
            p = q.pop();
            cachedBytes -= size;
        } else {
            p = device.allocate(size);
            if (p == 0) {
                releaseCache();
                p = device.allocate(size);
            }
            if (p == 0) {
                throw new OutOfDeviceMemory("out of device memory: asked for " + human(size) + " with " + human(inUse)
                        + " in use by tensors (peak " + human(peak) + "); try a smaller --crop or --batch");
            }
            driverAllocations++;
        }
        sizeOf.put(p, size);
        inUse += size;
        peak = Math.max(peak, inUse);
        return p;
    }

    /** Returns a block to the cache (never to the driver). */
    public void free(long pointer) {
        Long size = sizeOf.remove(pointer);
        if (size == null) throw new IllegalArgumentException("free of a pointer this allocator did not hand out: 0x" + Long.toHexString(pointer));
        inUse -= size;
        cachedBytes += size;
        cached.computeIfAbsent(size, k -> new ArrayDeque<>()).push(pointer);
    }

    /** Bytes as B / KiB / MiB / GiB with one decimal. */
    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Gives every cached block back to the driver. */
    public void releaseCache() {
        for (ArrayDeque<Long> q : cached.values()) {
            for (long p : q) device.free(p);
        }
        cached.clear();
        cachedBytes = 0;
    }

    /** Bytes handed out and not yet freed. */
    public long inUse() { return inUse; }

    /** Highest {@link #inUse()} since creation or {@link #resetPeak()}. */
    public long peak() { return peak; }

    public void resetPeak() { peak = inUse; }

    /** Bytes held in the cache (reserved from the driver, not in use). */
    public long cachedBytes() { return cachedBytes; }

    /** How many times the driver was asked for memory (stays flat in steady state). */
    public long driverAllocations() { return driverAllocations; }
}
