package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The void** kernelParams layout: each value readable, with its size, through the address array. Needs no GPU. */
class KernelArgsTest {
    @Test
    void everyValueIsReadableThroughTheAddressArray() {
        try (KernelArgs a = KernelArgs.of().ptr(0x7f00_1234_5678L).i32(-7).i64(1L << 40).f32(1.5f).f64(-2.25).ptr(0L)) {
            assertEquals("pilfdp", a.kinds());
            assertEquals(6, a.count());
            MemorySegment arr = a.pointers();
            assertEquals(7 * ValueLayout.ADDRESS.byteSize(), arr.byteSize(), "six addresses and the closing NULL");
            assertEquals(0L, arr.getAtIndex(ValueLayout.ADDRESS, 6).address(), "the slot after the last argument is NULL");
            assertEquals(0x7f00_1234_5678L, at(arr, 0, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(-7, at(arr, 1, 4).get(ValueLayout.JAVA_INT, 0));
            assertEquals(1L << 40, at(arr, 2, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(1.5f, at(arr, 3, 4).get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(-2.25, at(arr, 4, 8).get(ValueLayout.JAVA_DOUBLE, 0));
            assertEquals(0L, at(arr, 5, 8).get(ValueLayout.JAVA_LONG, 0));
            long[] sizes = {8, 4, 8, 4, 8, 8};
            for (int i = 0; i < sizes.length; i++) {
                assertEquals(sizes[i], a.value(i).byteSize(), "size of argument " + i);
                assertEquals(a.value(i).address(), arr.getAtIndex(ValueLayout.ADDRESS, i).address(), "address of argument " + i);
                assertEquals(0, a.value(i).address() % sizes[i], "alignment of argument " + i);
            }
        }
    }

    @Test
    void noArgumentsIsOneNullSlot() {
        try (KernelArgs a = KernelArgs.of()) {
            MemorySegment arr = a.pointers();
            assertEquals(ValueLayout.ADDRESS.byteSize(), arr.byteSize());
            assertEquals(0L, arr.getAtIndex(ValueLayout.ADDRESS, 0).address());
        }
    }

    @Test
    void packingIsFinal() {
        try (KernelArgs a = KernelArgs.of().i32(1)) {
            a.pointers();
            assertThrows(IllegalStateException.class, () -> a.i32(2));
            assertEquals(a.pointers(), a.pointers());
        }
    }

    static MemorySegment at(MemorySegment arr, int i, long size) {
        return arr.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(size);
    }
}
