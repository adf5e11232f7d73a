package adl.memory;

/**
 * A device cannot hold a requested block even after its allocator released what it had cached. The
 * message is one line with the sizes (asked for, in use, cached). Backend-neutral, so that the
 * training loops can stop on it (keeping the last checkpoint) without naming a backend.
 */
public final class OutOfDeviceMemory extends RuntimeException {
    public OutOfDeviceMemory(String message) { super(message); }
}
