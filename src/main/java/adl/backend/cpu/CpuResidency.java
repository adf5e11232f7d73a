package adl.backend.cpu;

import adl.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a CPU F32 storage's values live: on the Java heap as a {@code float[]} (what every kernel
 * reads and writes) or, once spilled, in a pooled off-heap segment ({@link CpuSegmentPool}).
 * The heap arrays are a bounded working cache (docs/01-tensors-and-autograd.md §8): when the
 * resident bytes of the tracked storages exceed {@link #budgetBytes()},
 * the least recently used ones are copied out (bulk {@code MemorySegment.copy}) and their arrays
 * returned to {@link CpuArrayPool}; a kernel that asks for a spilled storage gets it copied back.
 * A spill is a copy, so results are bitwise the same whether or not the budget is hit.
 *
 * <p>Safe points: spills happen only in {@link #enter}, at the start of a backend op, and only
 * while no other op is running (on any thread), so no kernel ever holds an array that is taken
 * away; the operands of the op being entered are pinned (made resident, stamped with the op's
 * clock) and never spilled by that entry.
 *
 * <p>Budget: {@code -Dadl.cpu.heapBudgetMB=N}; default half of {@code Runtime.maxMemory()} (under
 * {@code java -jar} a quarter of the RAM, so 3 GiB of a 6 GiB heap on 24 GiB): the search at its
 * CPU sizes (crop 64) never reaches it, the paper's crop 321 does. Only F32 storages of at least
 * {@link #MIN_TRACKED_BYTES} are tracked; smaller ones always stay on the heap.
 */
final class CpuResidency {
    static final long MIN_TRACKED_BYTES = 64 * 1024;
    private static volatile long budgetBytes = budgetFromProperty();

    private static final Object LOCK = new Object();
    // LRU list of the resident tracked storages: head = least recently used
    private static CpuStorage head, tail;
    private static long residentBytes, clock, spills, restores, spilledBytes;
    private static int inFlight;

    private CpuResidency() {}

    private static long budgetFromProperty() {
        String v = System.getProperty("adl.cpu.heapBudgetMB");
        if (v == null) return Runtime.getRuntime().maxMemory() / 2;
        try {
            long mb = Long.parseLong(v.trim());
            if (mb <= 0) throw new NumberFormatException();
            return mb * 1024 * 1024;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dadl.cpu.heapBudgetMB must be a whole number of MB > 0, got '" + v + "'");
        }
    }

    /** Registers a freshly allocated storage holding {@code a} (resident, most recently used). */
    static void track(CpuStorage s) {
        synchronized (LOCK) {
            append(s);
            residentBytes += s.bytes();
        }
    }

    /**
     * Runs one backend op on {@code operands}: makes them resident and most recently used, then,
     * if no other op is running, spills the least recently used others until within the budget;
     * while {@code body} runs nothing it uses can be spilled.
     */
    static void during(Runnable body, Tensor... operands) {
        enter(null, operands);
        try {
            body.run();
        } finally {
            exit();
        }
    }

    /** {@link #during} for an op on an array of tensors plus others. */
    static void during(Runnable body, Tensor[] xs, Tensor... more) {
        enter(xs, more);
        try {
            body.run();
        } finally {
            exit();
        }
    }

    /** {@link #during} for an op that returns a value (a read of the operands). */
    static <T> T during(java.util.function.Supplier<T> body, Tensor... operands) {
        enter(null, operands);
        try {
            return body.get();
        } finally {
            exit();
        }
    }

    private static void enter(Tensor[] xs, Tensor[] more) {
        synchronized (LOCK) {
            long now = ++clock;
            if (xs != null) for (Tensor t : xs) pinIfTracked(t, now);
            for (Tensor t : more) pinIfTracked(t, now);
            if (inFlight == 0 && residentBytes > budgetBytes) spillLocked(now);
            inFlight++;
        }
    }

    private static void pinIfTracked(Tensor t, long now) {
        if (t != null && t.storage() instanceof CpuStorage s && s.tracked) pinLocked(s, now);
    }

    private static void exit() {
        synchronized (LOCK) {
            inFlight--;
        }
    }

    /** The array of a spilled storage, copied back (an access outside a backend op, e.g. a test). */
    static float[] restore(CpuStorage s) {
        synchronized (LOCK) {
            if (s.f32 == null && s.home != null) pinLocked(s, clock);
            return s.f32;
        }
    }

    static boolean spilled(CpuStorage s) {
        synchronized (LOCK) { return s.f32 == null && s.home != null; }
    }

    /** The storage's last reference is gone: its array or segment goes back to its pool. */
    static void free(CpuStorage s) {
        synchronized (LOCK) {
            if (s.f32 != null) {
                unlink(s);
                residentBytes -= s.bytes();
                CpuArrayPool.give(s.f32);
                s.f32 = null;
            } else if (s.home != null) {
                CpuSegmentPool.give(s.home);
                s.home = null;
            }
        }
    }

    private static void pinLocked(CpuStorage s, long now) {
        s.stamp = now;
        if (s.f32 == null) {
            if (s.home == null) return; // freed: the kernel's access reports it
            float[] a = CpuArrayPool.takeFloats(s.length);
            MemorySegment.copy(s.home, ValueLayout.JAVA_FLOAT, 0, a, 0, s.length);
            CpuSegmentPool.give(s.home);
            s.f32 = a;
            s.home = null;
            residentBytes += s.bytes();
            restores++;
            append(s);
            return;
        }
        unlink(s);
        append(s);
    }

    private static void spillLocked(long now) {
        CpuStorage s = head;
        while (s != null && residentBytes > budgetBytes) {
            CpuStorage next = s.next;
            if (s.stamp != now) {
                MemorySegment seg = CpuSegmentPool.take(s.bytes());
                MemorySegment.copy(s.f32, 0, seg, ValueLayout.JAVA_FLOAT, 0, s.length);
                unlink(s);
                CpuArrayPool.give(s.f32);
                s.home = seg;
                s.f32 = null;
                residentBytes -= s.bytes();
                spills++;
                spilledBytes += s.bytes();
            }
            s = next;
        }
    }

    private static void append(CpuStorage s) {
        s.prev = tail;
        s.next = null;
        if (tail != null) tail.next = s;
        else head = s;
        tail = s;
    }

    private static void unlink(CpuStorage s) {
        if (s.prev != null) s.prev.next = s.next;
        else if (head == s) head = s.next;
        if (s.next != null) s.next.prev = s.prev;
        else if (tail == s) tail = s.prev;
        s.prev = null;
        s.next = null;
    }

    /** The heap budget of the tracked storages, in bytes. */
    static long budgetBytes() { return budgetBytes; }

    /** Sets the budget (tests); returns the previous one. Takes effect at the next op. */
    static long budgetBytes(long bytes) {
        long old = budgetBytes;
        budgetBytes = bytes;
        return old;
    }

    /** Bytes of tracked storages now on the heap. */
    static long residentBytes() { synchronized (LOCK) { return residentBytes; } }

    /** Counters since start: spills, restores, bytes spilled (for benchmarks and tests). */
    static long[] counters() { synchronized (LOCK) { return new long[] {spills, restores, spilledBytes}; } }
}
