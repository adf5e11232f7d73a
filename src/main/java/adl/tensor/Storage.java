package adl.tensor;

/**
 * The memory behind one or more tensor handles: a CPU array or a device pointer. Implemented by
 * the backends. Reference counted: every open handle and every autograd node that saved the
 * tensor holds one reference; the memory is returned to its allocator when the count reaches 0.
 */
public interface Storage {
    DType dtype();

    /** Number of elements (not bytes). */
    long length();

    default long bytes() { return length() * dtype().bytes(); }

    /** Adds a reference. Fails if the storage was already freed. */
    void retain();

    /** Drops a reference; frees the memory at zero. */
    void release();

    /** True once the memory was returned to the allocator. */
    boolean isFreed();

    /** A short device name for messages, e.g. "cpu" or "cuda:0". */
    String deviceName();
}
