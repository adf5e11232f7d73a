package adl.backend.cuda;

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
        CachingAllocator.OutOfDeviceMemory e = assertThrows(CachingAllocator.OutOfDeviceMemory.class, () -> a.allocate(1024));
        assertTrue(e.getMessage().contains("asked for 1.0 KiB with 4.0 KiB in use"), e.getMessage());
        a.free(q);
    }

    @Test void freeingAForeignPointerIsAnError() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1 << 20));
        assertThrows(IllegalArgumentException.class, () -> a.free(0xdead));
    }
}
