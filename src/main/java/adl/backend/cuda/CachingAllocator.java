package adl.backend.cuda;

import adl.backend.GraphCaptureException;
import adl.memory.OutOfDeviceMemory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching device allocator (docs/05b-device-memory.md §1; its graph pools: docs/05d-cuda-graphs.md §3): freed blocks are kept, keyed by their rounded size,
 * and handed out again — a training step repeats the same shapes, so after the first step no
 * driver allocation happens. Tracks bytes in use and its high-water mark (the "peak device
 * memory" of the benchmarks). When the driver reports out-of-memory, the cache is released and
 * the allocation retried once; if it still fails, the error names the sizes involved.
 *
 * <p>CUDA-graph capture ({@link #beginCapture}): a captured graph replays with the pointers it was
 * captured with, so every block it may touch must stay its own. During a capture, blocks come from
 * the capture's private {@link Pool} (its free blocks first, then the general cache, whose block then
 * joins the pool) and never from the driver — a driver allocation there throws
 * {@link GraphCaptureException}: the eager warm-up iterations are expected to have left a cached block
 * of every size the step needs. A block freed during the capture, and any pool block freed later,
 * returns to its pool, never to the general cache, so nothing outside the graph is handed it while the
 * graph lives (pool blocks are scratch of one replay, so two graphs, replayed one after the other on
 * the one stream, may share a block: it then belongs to both). {@link #releasePool} (the graph was
 * destroyed) gives the pool's blocks back.
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

    /** The blocks reserved for one captured graph (see the class comment). */
    public static final class Pool {
        private final String name;
        private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
        private final java.util.Set<Long> owned = new java.util.HashSet<>();
        private long bytes;
        private boolean released;

        private Pool(String name) { this.name = name; }

        public String name() { return name; }

        /** Bytes of the blocks this pool holds, in use or free. */
        public long bytes() { return bytes; }

        /** Whether {@code pointer} is one of this pool's blocks. */
        public boolean owns(long pointer) { return owned.contains(pointer); }
    }

    /** Blocks are rounded up to this granularity (bytes), as cudaMalloc's own alignment. */
    static final long GRANULE = 512;

    private final DeviceMemory device;
    private final Map<Long, ArrayDeque<Long>> cached = new HashMap<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();
    private final Map<Long, java.util.List<Pool>> owners = new HashMap<>();   // pool blocks → their pools, newest last
    private Pool capturing;
    private long inUse, peak, cachedBytes, driverAllocations;

    public CachingAllocator(DeviceMemory device) { this.device = device; }

    static long round(long bytes) {
        if (bytes <= 0) return GRANULE;
        return (bytes + GRANULE - 1) / GRANULE * GRANULE;
    }

    /** A block of at least {@code bytes} bytes. */
    public long allocate(long bytes) {
        long size = round(bytes);
        long p = capturing != null ? fromPool(capturing, size) : 0;
        if (p == 0) p = fromCache(size);
        if (p != 0) {
            if (capturing != null) adopt(capturing, p, size);
        } else {
            if (capturing != null) {
                throw new GraphCaptureException("a driver allocation (cuMemAlloc of " + human(size) + ") during the capture of '"
                        + capturing.name + "': no cached block of that size is left; the eager warm-up iterations should have left one");
            }
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

    private static long pop(Map<Long, ArrayDeque<Long>> lists, long size) {
        ArrayDeque<Long> q = lists.get(size);
        return q == null || q.isEmpty() ? 0 : q.pop();
    }

    private long fromPool(Pool pool, long size) { return pop(pool.free, size); }

    private long fromCache(long size) {
        long p = pop(cached, size);
        if (p != 0) cachedBytes -= size;
        return p;
    }

    private void adopt(Pool pool, long p, long size) {
        if (pool.owned.add(p)) {
            pool.bytes += size;
            owners.computeIfAbsent(p, k -> new java.util.ArrayList<>()).add(pool);
        }
    }

    /** Puts a free block on the free list of its newest pool, or back in the general cache when it has none. */
    private void park(long p, long size) {
        java.util.List<Pool> o = owners.get(p);
        if (o != null) {
            o.getLast().free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
            return;
        }
        cachedBytes += size;
        cached.computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
    }

    /** Returns a block to its pool, or to the capturing pool during a capture, else to the cache (never to the driver). */
    public void free(long pointer) {
        Long size = sizeOf.remove(pointer);
        if (size == null) throw new IllegalArgumentException("free of a pointer this allocator did not hand out: 0x" + Long.toHexString(pointer));
        inUse -= size;
        if (capturing != null) adopt(capturing, pointer, size);
        park(pointer, size);
    }

    // ---- graph capture ----------------------------------------------------------------------

    /** Starts serving allocations from a new private pool named {@code name} (one capture at a time). */
    public Pool beginCapture(String name) {
        if (capturing != null) throw new IllegalStateException("capture of '" + name + "' while '" + capturing.name + "' is being captured");
        capturing = new Pool(name);
        return capturing;
    }

    /**
     * Puts {@code pointer}, a block in use that a captured graph will touch though it was allocated
     * before the capture (e.g. a workspace), into the capturing pool: once freed it stays reserved.
     */
    public void adoptInUse(long pointer) {
        if (capturing == null) throw new IllegalStateException("adoptInUse outside a capture");
        Long size = sizeOf.get(pointer);
        if (size == null) throw new IllegalArgumentException("adoptInUse of a block not in use: 0x" + Long.toHexString(pointer));
        adopt(capturing, pointer, size);
    }

    /** Ends the capture of {@code pool}: later allocations come from the general cache again. */
    public void endCapture(Pool pool) {
        if (capturing != pool) throw new IllegalStateException("endCapture of '" + pool.name + "', which is not being captured");
        capturing = null;
    }

    /** The pool being captured, or null. */
    public Pool capturing() { return capturing; }

    /**
     * The graph of {@code pool} is destroyed (and its last replay finished): its free blocks go to the
     * general cache (or stay reserved for another live pool that also holds them); blocks still in use
     * go there when they are freed.
     */
    public void releasePool(Pool pool) {
        if (capturing == pool) throw new IllegalStateException("releasePool of '" + pool.name + "' during its capture");
        if (pool.released) return;
        pool.released = true;
        for (long p : pool.owned) {
            java.util.List<Pool> o = owners.get(p);
            o.remove(pool);
            if (o.isEmpty()) owners.remove(p);
        }
        Map<Long, ArrayDeque<Long>> parked = new HashMap<>(pool.free);
        pool.free.clear();
        for (Map.Entry<Long, ArrayDeque<Long>> e : parked.entrySet()) {
            for (long p : e.getValue()) park(p, e.getKey());
        }
        pool.owned.clear();
        pool.bytes = 0;
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

    /** Gives every block of the general cache back to the driver (pool blocks stay reserved). */
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
