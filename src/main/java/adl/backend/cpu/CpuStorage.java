package adl.backend.cpu;

import adl.memory.MemoryStats;
import adl.tensor.DType;
import adl.tensor.Storage;
import adl.tensor.Tensor;

/**
 * CPU memory: a Java array of the dtype's primitive type, taken from and returned to
 * {@link CpuArrayPool}. Reference counted (see {@link Storage}).
 */
public final class CpuStorage implements Storage {
    private final DType dtype;
    private final int length;
    private float[] f32;
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
                case F32 -> CpuArrayPool.give(f32);
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
        if (f32 == null) throw freedOrWrongType(DType.F32);
        return f32;
    }

    double[] doubles() {
        if (f64 == null) throw freedOrWrongType(DType.F64);
        return f64;
    }

    int[] ints() {
        if (i32 == null) throw freedOrWrongType(DType.I32);
        return i32;
    }

    private IllegalStateException freedOrWrongType(DType wanted) {
        return new IllegalStateException(refs <= 0
                ? "CPU storage " + dtype + "[" + length + "] used after free"
                : "CPU storage holds " + dtype + ", not " + wanted);
    }

    // ---- array access for the CPU kernels ----

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
