package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One kernel launch's arguments packed for {@code cuLaunchKernel}'s {@code void **kernelParams}: one
 * native value per argument (device pointers and {@code long long} 8 bytes, {@code int} and
 * {@code float} 4, {@code double} 8) and the array of their addresses, all in one confined arena
 * freed by {@link #close()} once the launch call has returned (the driver copies the values at launch).
 *
 * <p>{@link #kinds()} records the PTX parameter class of each argument in order ({@code 'p'}
 * pointer, {@code 'l'} int64, {@code 'i'} int32, {@code 'f'} float, {@code 'd'} double) so a test can
 * compare a wrapper's packing with the {@code .param} list the PTX declares.
 */
public final class KernelArgs implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final List<MemorySegment> values = new ArrayList<>();
    private final StringBuilder kinds = new StringBuilder();
    private MemorySegment array;

    public static KernelArgs of() { return new KernelArgs(); }

    /** A device pointer (CUdeviceptr, 8 bytes); 0 is the null pointer. */
    public KernelArgs ptr(long devicePtr) { return add('p', longValue(devicePtr)); }

    /** A 64-bit {@code long long}. */
    public KernelArgs i64(long v) { return add('l', longValue(v)); }

    /** A 32-bit {@code int}. */
    public KernelArgs i32(int v) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_INT);
        s.set(ValueLayout.JAVA_INT, 0, v);
        return add('i', s);
    }

    public KernelArgs f32(float v) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT);
        s.set(ValueLayout.JAVA_FLOAT, 0, v);
        return add('f', s);
    }

    public KernelArgs f64(double v) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_DOUBLE);
        s.set(ValueLayout.JAVA_DOUBLE, 0, v);
        return add('d', s);
    }

    private MemorySegment longValue(long v) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_LONG);
        s.set(ValueLayout.JAVA_LONG, 0, v);
        return s;
    }

    private KernelArgs add(char kind, MemorySegment value) {
        if (array != null) throw new IllegalStateException("KernelArgs(" + kinds + ") already packed: cannot add '" + kind + "'");
        values.add(value);
        kinds.append(kind);
        return this;
    }

    public int count() { return values.size(); }

    /** Parameter classes in order, one character per argument ({@code p l i f d}). */
    public String kinds() { return kinds.toString(); }

    /** The value segment of argument {@code i} (its byte size is the argument's size). */
    public MemorySegment value(int i) { return values.get(i); }

    /**
     * The {@code void *[count + 1]} array of value addresses, ended by a NULL slot: the driver reads
     * only the first {@code count} (the PTX entry says how many), and the mock GPU counts the slots up
     * to the NULL to refuse a launch whose argument count disagrees with the entry (docs/05f-mock-gpu.md). After
     * the first call no argument can be added.
     */
    public MemorySegment pointers() {
        if (array == null) {
            array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
            for (int i = 0; i < values.size(); i++) array.setAtIndex(ValueLayout.ADDRESS, i, values.get(i));
            array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
        }
        return array;
    }

    @Override public void close() { arena.close(); }

    @Override public String toString() { return "KernelArgs(" + kinds + ")"; }
}
