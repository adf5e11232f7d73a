package adl.tensor;

import java.util.Arrays;

/**
 * A thin handle on a storage: shape, strides (in elements), offset, and the autograd fields.
 * Views (reshape, permute, narrow) are handles on the same storage. Creating a handle takes one
 * storage reference; {@link #close()} gives it back. Handles are created through
 * {@code adl.backend.Tensors} so that the current memory scope tracks them.
 */
public final class Tensor implements AutoCloseable {
    private final Storage storage;
    private final Shape shape;
    private final long[] strides;
    private final long offset;

    private boolean requiresGrad;
    private Tensor grad;
    private GradFn gradFn;
    private String name;
    private boolean closed;
    /** The memory scope that will close this handle (opaque to this layer). */
    private Object owner;

    /** Wraps a storage whose reference this handle now owns (the caller must have retained it). */
    public Tensor(Storage storage, Shape shape, long[] strides, long offset) {
        if (strides.length != shape.rank()) {
            throw new IllegalArgumentException("strides " + Arrays.toString(strides) + " do not match shape " + shape);
        }
        this.storage = storage;
        this.shape = shape;
        this.strides = strides.clone();
        this.offset = offset;
    }

    public Storage storage() { return storage; }
    public Shape shape() { return shape; }
    public DType dtype() { return storage.dtype(); }
    public long[] strides() { return strides.clone(); }
    public long stride(int axis) { return strides[shape.normalizeAxis(axis)]; }
    public long offset() { return offset; }
    public int rank() { return shape.rank(); }
    public int dim(int axis) { return shape.dim(axis); }
    public long numel() { return shape.numel(); }
    public String deviceName() { return storage.deviceName(); }

    /** True when the elements are laid out row-major without gaps (offset may be non-zero). */
    public boolean isContiguous() {
        long expect = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            if (shape.dim(i) != 1 && strides[i] != expect) return false;
            expect *= shape.dim(i);
        }
        return true;
    }

    // ---- autograd fields (managed by adl.autograd) ----

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as needing a gradient. Returns this. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on) throw new IllegalStateException("cannot turn off requiresGrad on a non-leaf tensor");
        this.requiresGrad = on;
        return this;
    }

    public Tensor grad() { return grad; }
    public void setGrad(Tensor g) { this.grad = g; }
    public GradFn gradFn() { return gradFn; }

    /** Records the op that produced this tensor; it then requires grad. */
    public void setGradFn(GradFn fn) {
        this.gradFn = fn;
        this.requiresGrad = fn != null || requiresGrad;
    }

    public boolean isLeaf() { return gradFn == null; }

    public String name() { return name; }
    public Tensor name(String n) { this.name = n; return this; }

    // ---- lifetime ----

    public Object owner() { return owner; }
    public void owner(Object o) { this.owner = o; }
    public boolean isClosed() { return closed; }

    /** Fails with a clear message when the memory behind this handle was already freed. */
    public void checkAlive() {
        if (storage.isFreed()) {
            throw new IllegalStateException("tensor " + describe() + " used after its memory was freed (closed by its scope?)");
        }
    }

    /** Releases this handle's storage reference. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            storage.release();
        }
    }

    public String describe() {
        return (name != null ? name + " " : "") + dtype() + shape + " on " + deviceName();
    }

    @Override
    public String toString() { return "Tensor(" + describe() + ")"; }
}
