package adl.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * Off-heap homes of spilled CPU storages ({@link CpuResidency}), reused by exact byte size as
 * {@link CpuArrayPool} reuses arrays: the same shapes spill every step. Each segment has its own
 * shared arena, closed (memory returned to the OS) when the pool is full ({@code
 * -Dadl.cpu.segmentPoolMB}, default 512) or {@link #clear}ed. Contents of a taken segment are
 * undefined.
 */
final class CpuSegmentPool {
    static final long MAX_POOLED_BYTES = Long.getLong("adl.cpu.segmentPoolMB", 512) << 20;

    private static final HashMap<Long, ArrayDeque<Owned>> FREE = new HashMap<>();
    private static final HashMap<MemorySegment, Arena> ARENAS = new HashMap<>();
    private static long pooledBytes, liveBytes, peakBytes;

    private record Owned(MemorySegment segment, Arena arena) {}

    private CpuSegmentPool() {}

    static synchronized MemorySegment take(long bytes) {
        ArrayDeque<Owned> q = FREE.get(bytes);
        Owned o;
        if (q != null && !q.isEmpty()) {
            o = q.pop();
            pooledBytes -= bytes;
        } else {
            Arena arena = Arena.ofShared();
            o = new Owned(arena.allocate(bytes, 64), arena);
        }
        ARENAS.put(o.segment, o.arena);
        liveBytes += bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
        return o.segment;
    }

    static synchronized void give(MemorySegment seg) {
        Arena arena = ARENAS.remove(seg);
        if (arena == null) throw new IllegalStateException("off-heap segment of " + seg.byteSize() + " bytes given back twice");
        long bytes = seg.byteSize();
        liveBytes -= bytes;
        if (pooledBytes + bytes > MAX_POOLED_BYTES) {
            arena.close();
            return;
        }
        pooledBytes += bytes;
        FREE.computeIfAbsent(bytes, k -> new ArrayDeque<>()).push(new Owned(seg, arena));
    }

    /** Bytes held by spilled storages now, and the most ever. */
    static synchronized long liveBytes() { return liveBytes; }

    static synchronized long peakBytes() { return peakBytes; }

    /** Closes every pooled segment (for tests and memory measurements). */
    static synchronized void clear() {
        for (ArrayDeque<Owned> q : FREE.values()) for (Owned o : q) o.arena.close();
        FREE.clear();
        pooledBytes = 0;
    }
}
