package adl.backend.cpu;

import adl.memory.MemoryStats;
import adl.tensor.DType;
import adl.tensor.Storage;
import adl.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * CPU memory: a Java array of the dtype's primitive type, taken from and returned to
 * {@link CpuArrayPool}. Reference counted (see {@link Storage}). An F32 storage of at least
 * {@link CpuResidency#MIN_TRACKED_BYTES} may be spilled to an off-heap segment between backend ops
 * when the heap budget is exceeded ({@link CpuResidency}); {@link #floats()} brings it back.
 */
public final class CpuStorage implements Storage {
    private final DType dtype;
    final int length;
    /** Null while spilled (then {@link #home} holds the values) or freed; guarded by CpuResidency. */
    volatile float[] f32;
    MemorySegment home;
    final boolean tracked;
    // CpuResidency's LRU list and pin stamp
    CpuStorage prev, next;
    long stamp;
    private double[] f64;
    private int[] i32;
    private int refs = 1;

    CpuStorage(DType dtype, int length) {
        this.dtype = dtype;
        this.length = length;
        switch (dtype) {
            case F32 -> f32 = CpuArrayPool.takeFloats(length);
            case F64 -> f64 = CpuArrayPool.takeDoubles(length);
            case I32 -> i32 = CpuArrayPool.takeInts(length);
        }
        tracked = dtype == DType.F32 && bytes() >= CpuResidency.MIN_TRACKED_BYTES;
        if (tracked) CpuResidency.track(this);
        MemoryStats.allocated(bytes());
    }

    @Override public DType dtype() { return dtype; }
    @Override public long length() { return length; }
    @Override public String deviceName() { return "cpu"; }

    @Override
    public synchronized void retain() {
        if (refs <= 0) throw new IllegalStateException("retain of freed CPU storage " + dtype + "[" + length + "]");
        refs++;
    }

    @Override
    public synchronized void release() {
        if (refs <= 0) throw new IllegalStateException("double free of CPU storage " + dtype + "[" + length + "]");
        if (--refs == 0) {
            switch (dtype) {
                case F32 -> {
                    if (tracked) CpuResidency.free(this);
                    else CpuArrayPool.give(f32);
                }
                case F64 -> CpuArrayPool.give(f64);
                case I32 -> CpuArrayPool.give(i32);
            }
            f32 = null;
            f64 = null;
            i32 = null;
            MemoryStats.freed(bytes());
        }
    }

    @Override public synchronized boolean isFreed() { return refs <= 0; }

    float[] floats() {
        float[] a = f32;
        if (a != null) return a;
        if (tracked && (a = CpuResidency.restore(this)) != null) return a;
        throw freedOrWrongType(DType.F32);
    }

    double[] doubles() {
        if (f64 == null) throw freedOrWrongType(DType.F64);
        return f64;
    }

    int[] ints() {
        if (i32 == null) throw freedOrWrongType(DType.I32);
        return i32;
    }

    /** Whether the values are in an off-heap segment now (spilled) rather than a heap array. */
    boolean spilled() { return CpuResidency.spilled(this); }

    private IllegalStateException freedOrWrongType(DType wanted) {
        return new IllegalStateException(refs <= 0
                ? "CPU storage " + dtype + "[" + length + "] used after free"
                : "CPU storage holds " + dtype + ", not " + wanted);
    }

    // ---- array access for the CPU kernels ----

    /**
     * Counters of the heap cache since start (docs/01-tensors-and-autograd.md §8): {spills, restores, bytes spilled,
     * bytes of tracked arrays resident now, off-heap bytes live now, off-heap peak bytes}.
     */
    public static long[] residencyCounters() {
        long[] c = CpuResidency.counters();
        return new long[] {c[0], c[1], c[2], CpuResidency.residentBytes(), CpuSegmentPool.liveBytes(), CpuSegmentPool.peakBytes()};
    }

    /** The float array behind an F32 CPU tensor (index with t.offset() and its strides). */
    public static float[] f32(Tensor t) { return cpu(t).floats(); }

    /** The double array behind an F64 CPU tensor. */
    public static double[] f64(Tensor t) { return cpu(t).doubles(); }

    /** The int array behind an I32 CPU tensor. */
    public static int[] i32(Tensor t) { return cpu(t).ints(); }

    private static CpuStorage cpu(Tensor t) {
        if (!(t.storage() instanceof CpuStorage s)) {
            throw new IllegalArgumentException("tensor " + t.describe() + " is not on the CPU");
        }
        return s;
    }
}
