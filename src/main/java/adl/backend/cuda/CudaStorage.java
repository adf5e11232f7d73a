package adl.backend.cuda;

import adl.memory.MemoryStats;
import adl.tensor.DType;
import adl.tensor.Storage;
import adl.tensor.Tensor;

/**
 * Device memory: one block of a device's {@link CachingAllocator}, returned to its cache when the
 * last reference is released (see {@link Storage}). Reuse of a freed block is safe because the
 * backend issues all work of a device on one stream, in order.
 */
public final class CudaStorage implements Storage {
    private final CachingAllocator allocator;
    private final int ordinal;
    private final DType dtype;
    private final long length;
    private final long pointer;
    private int refs = 1;

    /** Takes {@code length} elements of {@code dtype} from {@code allocator} (device {@code ordinal}). */
    public CudaStorage(CachingAllocator allocator, int ordinal, DType dtype, long length) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length + " for " + dtype + " on cuda:" + ordinal);
        this.allocator = allocator;
        this.ordinal = ordinal;
        this.dtype = dtype;
        this.length = length;
        synchronized (allocator) { this.pointer = allocator.allocate(length * dtype.bytes()); }
        MemoryStats.allocated(bytes());
    }

    @Override public DType dtype() { return dtype; }
    @Override public long length() { return length; }
    @Override public String deviceName() { return "cuda:" + ordinal; }

    public int ordinal() { return ordinal; }

    @Override
    public synchronized void retain() {
        if (refs <= 0) throw new IllegalStateException("retain of freed CUDA storage " + describe());
        refs++;
    }

    @Override
    public synchronized void release() {
        if (refs <= 0) throw new IllegalStateException("double free of CUDA storage " + describe());
        if (--refs == 0) {
            synchronized (allocator) { allocator.free(pointer); }
            MemoryStats.freed(bytes());
        }
    }

    @Override public synchronized boolean isFreed() { return refs <= 0; }

    /** The CUdeviceptr of element 0. */
    public synchronized long pointer() {
        if (refs <= 0) throw new IllegalStateException("CUDA storage " + describe() + " used after free");
        return pointer;
    }

    private String describe() { return dtype + "[" + length + "] on cuda:" + ordinal; }

    /** The device pointer of {@code t}'s first element (base + offset · element size). */
    public static long ptr(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("tensor " + t.describe() + " is not on a CUDA device");
        }
        return s.pointer() + t.offset() * s.dtype.bytes();
    }
}
