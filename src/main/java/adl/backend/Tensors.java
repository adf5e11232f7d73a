package adl.backend;

import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Storage;
import adl.tensor.Tensor;

/**
 * The one place where tensor handles are made: fresh tensors, views and copies. Every handle
 * made here is registered with the current {@link Scope}.
 */
public final class Tensors {
    private Tensors() {}

    /** A contiguous tensor with undefined contents. */
    public static Tensor empty(Device device, DType dtype, Shape shape) {
        Storage s = device.backend().allocate(dtype, shape.numel());
        return Scope.track(new Tensor(s, shape, shape.contiguousStrides(), 0));
    }

    public static Tensor empty(Device device, DType dtype, int... dims) { return empty(device, dtype, Shape.of(dims)); }

    /** A contiguous tensor on the same device and of the same dtype as {@code like}. */
    public static Tensor emptyLike(Tensor like, Shape shape) {
        Storage s = Device.backendOf(like).allocate(like.dtype(), shape.numel());
        return Scope.track(new Tensor(s, shape, shape.contiguousStrides(), 0));
    }

    public static Tensor emptyLike(Tensor like) { return emptyLike(like, like.shape()); }

    public static Tensor zeros(Device device, DType dtype, int... dims) { return full(device, dtype, Shape.of(dims), 0); }

    public static Tensor zerosLike(Tensor like) {
        Tensor t = emptyLike(like);
        Device.backendOf(like).fill(t, 0);
        return t;
    }

    public static Tensor full(Device device, DType dtype, Shape shape, double value) {
        Tensor t = empty(device, dtype, shape);
        device.backend().fill(t, value);
        return t;
    }

    /** A tensor holding {@code values} (row-major, length = shape.numel()). */
    public static Tensor of(Device device, DType dtype, Shape shape, double... values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException(values.length + " values for shape " + shape);
        }
        Tensor t = empty(device, dtype, shape);
        device.backend().write(t, values);
        return t;
    }

    /** An I32 tensor holding {@code values}. */
    public static Tensor ofInts(Device device, Shape shape, int... values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException(values.length + " values for shape " + shape);
        }
        Tensor t = empty(device, DType.I32, shape);
        device.backend().writeInts(t, values);
        return t;
    }

    public static Tensor scalar(Device device, DType dtype, double value) {
        return of(device, dtype, Shape.of(1), value);
    }

    /** N(mean, std²) values from {@code seed}. */
    public static Tensor randn(Device device, DType dtype, Shape shape, long seed, double mean, double std) {
        Tensor t = empty(device, dtype, shape);
        device.backend().randn(t, seed, mean, std);
        return t;
    }

    /** U[lo, hi) values from {@code seed}. */
    public static Tensor uniform(Device device, DType dtype, Shape shape, long seed, double lo, double hi) {
        Tensor t = empty(device, dtype, shape);
        device.backend().uniform(t, seed, lo, hi);
        return t;
    }

    /** A new handle on {@code base}'s storage with another layout (shares memory). */
    public static Tensor view(Tensor base, Shape shape, long[] strides, long offset) {
        base.checkAlive();
        base.storage().retain();
        return Scope.track(new Tensor(base.storage(), shape, strides, offset));
    }

    /** A contiguous copy of {@code t} (always a new storage). */
    public static Tensor contiguousCopy(Tensor t) {
        Tensor out = emptyLike(t);
        Device.backendOf(t).copy(t, out);
        return out;
    }

    /** {@code t} itself (as a new handle) when contiguous, else a contiguous copy. */
    public static Tensor contiguous(Tensor t) {
        if (t.isContiguous()) return view(t, t.shape(), t.strides(), t.offset());
        return contiguousCopy(t);
    }

    /** The same dtype conversion on the same device: a new contiguous tensor. */
    public static Tensor cast(Tensor t, DType dtype) {
        if (dtype == t.dtype()) return contiguousCopy(t);
        Backend b = Device.backendOf(t);
        Tensor out = empty(b.device(), dtype, t.shape());
        b.write(out, b.read(t));
        return out;
    }

    /** Host copy of the elements, row-major. */
    public static double[] toDoubles(Tensor t) { return Device.backendOf(t).read(t); }

    /** The single value of a 1-element tensor. */
    public static double item(Tensor t) {
        if (t.numel() != 1) throw new IllegalArgumentException("item() needs 1 element, got " + t.shape());
        return toDoubles(t)[0];
    }
}
