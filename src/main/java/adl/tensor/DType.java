package adl.tensor;

/**
 * Element type of a tensor's storage. F32 is the working type of the engine; F64 exists so the
 * gradient checker can run every op in double precision; I32 holds class labels. The enum leaves
 * room for BF16/F16 storage later.
 */
public enum DType {
    F32(4), F64(8), I32(4);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    public boolean isFloating() { return this != I32; }
}
