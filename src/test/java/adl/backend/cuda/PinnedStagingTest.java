package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Transfers.Pinned} against a fake stream that really is asynchronous: a queued copy reads its
 * source only when the stream is synchronised. So a staging region overwritten before its copy ran
 * would deliver wrong bytes, and the tests see it. Also: how many synchronisations and pinned
 * allocations each pattern of copies costs.
 */
class PinnedStagingTest {
    /** Host arena memory as "device" and as "pinned" memory; copies run at synchronize(), in queue order. */
    static final class LazyStream implements Transfers.Pinned.Driver {
        final Arena arena = Arena.ofShared();
        final List<Runnable> queued = new ArrayList<>();
        final List<MemorySegment> pinned = new ArrayList<>();
        int syncs, hostAllocs, hostFrees;

        @Override public MemorySegment hostAlloc(long bytes) {
            hostAllocs++;
            MemorySegment s = arena.allocate(bytes, 256);
            pinned.add(s);
            return s;
        }

        @Override public void hostFree(MemorySegment p) {
            assertTrue(queued.isEmpty(), "a pinned buffer freed while copies from it are still queued");
            assertTrue(pinned.remove(p), "free of a buffer not from hostAlloc");
            hostFrees++;
        }

        @Override public void copyToDeviceAsync(long dst, MemorySegment src, long bytes) {
            queued.add(() -> MemorySegment.copy(src, 0, HostDevice.mem(dst, bytes), 0, bytes));
        }

        @Override public void copyToHostAsync(MemorySegment dst, long src, long bytes) {
            queued.add(() -> MemorySegment.copy(HostDevice.mem(src, bytes), 0, dst, 0, bytes));
        }

        @Override public void synchronize() {
            syncs++;
            queued.forEach(Runnable::run);
            queued.clear();
        }
    }

    final LazyStream stream = new LazyStream();
    final Transfers.Pinned io = new Transfers.Pinned(stream);

    static MemorySegment ints(Arena a, int n, int seed) {
        MemorySegment s = a.allocate(ValueLayout.JAVA_INT, n);
        for (int i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_INT, i, seed * 1_000_003 + i);
        return s;
    }

    @Test
    void hostToDeviceCopiesQueueWithoutWaitingAndArriveIntact() {
        try (Arena a = Arena.ofConfined()) {
            int n = 1000, copies = 50;
            long[] dst = new long[copies];
            for (int c = 0; c < copies; c++) {
                dst[c] = a.allocate(4L * n, 256).address();
                MemorySegment src = ints(a, n, c);
                io.toDevice(dst[c], src, 4L * n);
                src.fill((byte) 0x7f);   // the host segment may be reused at once
            }
            assertEquals(0, stream.syncs, "50 small uploads fit in the staging buffer: no wait");
            assertEquals(1, stream.hostAllocs);
            MemorySegment back = a.allocate(4L * n);
            io.toHost(back, dst[copies - 1], 4L * n);
            assertEquals(1, stream.syncs, "the read waits once");
            for (int c = 0; c < copies; c++) {
                assertArrayEquals(ints(a, n, c).toArray(ValueLayout.JAVA_INT),
                        HostDevice.mem(dst[c], 4L * n).toArray(ValueLayout.JAVA_INT), "copy " + c);
            }
            assertArrayEquals(ints(a, n, copies - 1).toArray(ValueLayout.JAVA_INT), back.toArray(ValueLayout.JAVA_INT));
        }
    }

    @Test
    void aFullBufferWaitsOnceThenStartsOverWithoutClobberingQueuedCopies() {
        try (Arena a = Arena.ofConfined()) {
            int n = (int) (Transfers.Pinned.MIN_BYTES / 16);   // four copies per buffer
            long[] dst = new long[9];
            for (int c = 0; c < dst.length; c++) {
                dst[c] = a.allocate(4L * n, 256).address();
                io.toDevice(dst[c], ints(a, n, c + 1), 4L * n);
            }
            assertEquals(2, stream.syncs, "a wait each time the buffer is full (after copies 4 and 8)");
            assertEquals(1, stream.hostAllocs, "no growth for copies that fit");
            stream.synchronize();
            for (int c = 0; c < dst.length; c++) {
                assertArrayEquals(ints(a, n, c + 1).toArray(ValueLayout.JAVA_INT),
                        HostDevice.mem(dst[c], 4L * n).toArray(ValueLayout.JAVA_INT), "copy " + c);
            }
        }
    }

    @Test
    void aCopyLargerThanTheBufferGrowsItOnlyAfterQueuedCopiesRan() {
        try (Arena a = Arena.ofConfined()) {
            long small = a.allocate(64, 256).address();
            io.toDevice(small, ints(a, 16, 9), 64);
            int n = (int) (Transfers.Pinned.MIN_BYTES / 4) * 3;
            long big = a.allocate(4L * n, 256).address();
            io.toDevice(big, ints(a, n, 4), 4L * n);   // LazyStream.hostFree asserts nothing is queued
            assertEquals(1, stream.hostFrees);
            assertTrue(io.capacity() >= 4L * n);
            MemorySegment back = a.allocate(4L * n);
            io.toHost(back, big, 4L * n);
            assertArrayEquals(ints(a, n, 4).toArray(ValueLayout.JAVA_INT), back.toArray(ValueLayout.JAVA_INT));
            assertArrayEquals(ints(a, 16, 9).toArray(ValueLayout.JAVA_INT), HostDevice.mem(small, 64).toArray(ValueLayout.JAVA_INT));
            io.close();
            assertEquals(0, stream.pinned.size(), "close frees the staging buffer");
        }
    }

    @Test
    void aReadSeesEveryUploadQueuedBeforeIt() {
        try (Arena a = Arena.ofConfined()) {
            long d = a.allocate(40, 256).address();
            io.toDevice(d, ints(a, 10, 1), 40);
            io.toDevice(d, ints(a, 10, 2), 40);   // same destination: the later upload wins, in stream order
            MemorySegment back = a.allocate(40);
            io.toHost(back, d, 40);
            assertArrayEquals(ints(a, 10, 2).toArray(ValueLayout.JAVA_INT), back.toArray(ValueLayout.JAVA_INT));
            io.toDevice(d, ints(a, 10, 3), 40);   // after a read the buffer starts over
            io.toHost(back, d, 40);
            assertArrayEquals(ints(a, 10, 3).toArray(ValueLayout.JAVA_INT), back.toArray(ValueLayout.JAVA_INT));
            assertEquals(2, stream.syncs);
        }
    }
}
