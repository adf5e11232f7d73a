package adl.backend.cuda;

import adl.backend.GraphCaptureException;
import adl.memory.OutOfDeviceMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocator's bookkeeping against a fake device with a fixed capacity. */
class CachingAllocatorTest {
    static final class FakeDevice implements CachingAllocator.DeviceMemory {
        final long capacity;
        long used, next = 0x1000;
        final java.util.Map<Long, Long> live = new java.util.HashMap<>();
        int allocations, frees;

        FakeDevice(long capacity) { this.capacity = capacity; }

        @Override public long allocate(long bytes) {
            if (used + bytes > capacity) return 0;
            used += bytes;
            allocations++;
            long p = next;
            next += bytes;
            live.put(p, bytes);
            return p;
        }

        @Override public void free(long pointer) {
            Long size = live.remove(pointer);
            assertTrue(size != null, "double free");
            used -= size;
            frees++;
        }
    }

    @Test void aRepeatedStepAllocatesFromTheDriverOnlyOnce() {
        FakeDevice dev = new FakeDevice(1 << 30);
        CachingAllocator a = new CachingAllocator(dev);
        for (int step = 0; step < 5; step++) {
            long x = a.allocate(1000), y = a.allocate(4096), z = a.allocate(1000);
            a.free(y);
            a.free(x);
            a.free(z);
        }
        assertEquals(3, dev.allocations, "three distinct blocks, then only reuse");
        assertEquals(0, a.inUse());
        assertEquals(1024 + 4096 + 1024, a.peak());
        assertEquals(1024 + 4096 + 1024, a.cachedBytes());
    }

    @Test void outOfMemoryReleasesTheCacheAndRetriesThenNamesTheSizes() {
        FakeDevice dev = new FakeDevice(4096);
        CachingAllocator a = new CachingAllocator(dev);
        long p = a.allocate(3000);
        a.free(p);                                  // 3072 bytes cached
        long q = a.allocate(4000);                  // needs the cache released first
        assertEquals(1, dev.frees);
        OutOfDeviceMemory e = assertThrows(OutOfDeviceMemory.class, () -> a.allocate(1024));
        assertTrue(e.getMessage().contains("asked for 1.0 KiB with 4.0 KiB in use"), e.getMessage());
        a.free(q);
    }

    @Test void freeingAForeignPointerIsAnError() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1 << 20));
        assertThrows(IllegalArgumentException.class, () -> a.free(0xdead));
    }

    // ---- private pools of CUDA-graph captures ----

    @Test void aCaptureTakesCachedBlocksAndNeverTheDriver() {
        FakeDevice dev = new FakeDevice(1 << 30);
        CachingAllocator a = new CachingAllocator(dev);
        a.free(a.allocate(1000));   // warm-up leaves one 1 KiB block
        CachingAllocator.Pool pool = a.beginCapture("step");
        long x = a.allocate(1000);
        assertTrue(pool.owns(x));
        GraphCaptureException e = assertThrows(GraphCaptureException.class, () -> a.allocate(1000));
        assertTrue(e.getMessage().contains("driver allocation") && e.getMessage().contains("'step'"), e.getMessage());
        assertEquals(1, dev.allocations);
        a.free(x);
        assertEquals(x, a.allocate(1000), "within its capture a freed pool block is reused");
        a.endCapture(pool);
    }

    @Test void poolBlocksAreNeverHandedOutsideTheirGraphUntilItIsReleased() {
        FakeDevice dev = new FakeDevice(1 << 30);
        CachingAllocator a = new CachingAllocator(dev);
        long before = a.allocate(4096);   // allocated before the capture, freed during it
        a.free(a.allocate(1000));
        CachingAllocator.Pool pool = a.beginCapture("step");
        long x = a.allocate(1000);
        a.free(x);
        a.free(before);
        a.endCapture(pool);
        assertTrue(pool.owns(before), "a block freed during the capture joins the pool");
        assertEquals(1024 + 4096, pool.bytes());
        assertEquals(0, a.cachedBytes());
        long y = a.allocate(1000), z = a.allocate(4096);
        assertTrue(y != x && z != before, "outside the capture, pool blocks are not handed out");
        a.free(y);
        a.free(z);
        a.releaseCache();
        assertEquals(4, dev.allocations);
        assertTrue(dev.live.containsKey(x) && dev.live.containsKey(before), "releaseCache keeps pool blocks");
        a.releasePool(pool);
        assertEquals(1024 + 4096, a.cachedBytes(), "a released pool's blocks go to the cache");
        assertEquals(x, a.allocate(1000));
    }

    @Test void aPoolBlockStillInUseReturnsToItsPoolWhenFreedAndToTheCacheAfterRelease() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1 << 30));
        a.free(a.allocate(512));
        a.free(a.allocate(2048));
        CachingAllocator.Pool pool = a.beginCapture("step");
        long escaped = a.allocate(512), kept = a.allocate(2048);
        a.endCapture(pool);
        a.free(escaped);
        assertEquals(0, a.cachedBytes(), "freed after the capture: back to its pool");
        a.releasePool(pool);
        assertEquals(512, a.cachedBytes());
        a.free(kept);
        assertEquals(512 + 2048, a.cachedBytes(), "in use at release: to the cache when freed");
    }

    @Test void anAdoptedWorkspaceAndABlockSharedByTwoGraphsStayReservedWhileEitherLives() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1 << 30));
        long ws = a.allocate(8192);
        a.free(a.allocate(1024));
        CachingAllocator.Pool p1 = a.beginCapture("one");
        a.adoptInUse(ws);
        long s1 = a.allocate(1024);
        a.free(s1);
        a.endCapture(p1);
        CachingAllocator.Pool p2 = a.beginCapture("two");
        a.adoptInUse(ws);
        a.endCapture(p2);
        a.free(ws);
        a.releasePool(p1);
        assertEquals(1024, a.cachedBytes(), "the workspace is still reserved for graph two");
        a.releasePool(p2);
        assertEquals(1024 + 8192, a.cachedBytes());
        assertThrows(IllegalStateException.class, () -> a.adoptInUse(ws));
    }
}
