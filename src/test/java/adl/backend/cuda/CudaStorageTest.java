package adl.backend.cuda;

import adl.memory.MemoryStats;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference counting, allocator and MemoryStats bookkeeping of device storage, on a fake device (no GPU). */
class CudaStorageTest {
    static final class FakeDevice implements CachingAllocator.DeviceMemory {
        long next = 0x7000_0000L;
        final Set<Long> live = new HashSet<>();

        @Override public long allocate(long bytes) {
            long p = next;
            next += bytes;
            live.add(p);
            return p;
        }

        @Override public void free(long pointer) { assertTrue(live.remove(pointer)); }
    }

    @Test
    void refcountReturnsTheBlockToTheCacheAndReportsStats() {
        CachingAllocator alloc = new CachingAllocator(new FakeDevice());
        long storages = MemoryStats.liveStorages(), bytes = MemoryStats.liveBytes();
        CudaStorage s = new CudaStorage(alloc, 1, DType.F32, 1000);
        assertEquals("cuda:1", s.deviceName());
        assertEquals(4000, s.bytes());
        assertEquals(storages + 1, MemoryStats.liveStorages());
        assertEquals(bytes + 4000, MemoryStats.liveBytes());
        assertEquals(4096, alloc.inUse());
        long p = s.pointer();

        s.retain();
        s.release();
        assertFalse(s.isFreed());
        s.release();
        assertTrue(s.isFreed());
        assertEquals(0, alloc.inUse());
        assertEquals(storages, MemoryStats.liveStorages());
        assertEquals(bytes, MemoryStats.liveBytes());
        assertThrows(IllegalStateException.class, s::release);
        assertThrows(IllegalStateException.class, s::retain);
        assertThrows(IllegalStateException.class, s::pointer);

        CudaStorage again = new CudaStorage(alloc, 1, DType.I32, 1024);
        assertEquals(p, again.pointer(), "same rounded size reuses the cached block");
        assertEquals(1, alloc.driverAllocations());
        again.release();
    }

    @Test
    void tensorPointerIncludesTheElementOffset() {
        CachingAllocator alloc = new CachingAllocator(new FakeDevice());
        CudaStorage s = new CudaStorage(alloc, 0, DType.F64, 64);
        Tensor t = new Tensor(s, Shape.of(4, 4), new long[] {8, 1}, 5);
        assertEquals(s.pointer() + 5 * 8, CudaStorage.ptr(t));
        s.release();
    }
}
