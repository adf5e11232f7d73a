package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/** Views and copies: reshape, broadcast, narrow (slice), concat. */
public final class ShapeOps {
    private ShapeOps() {}

    /** Raw reshape: a view when x is contiguous, else a contiguous copy viewed. */
    static Tensor reshapeRaw(Tensor x, Shape shape) {
        if (shape.numel() != x.numel()) throw new IllegalArgumentException("cannot reshape " + x.shape() + " to " + shape);
        if (x.isContiguous()) return Tensors.view(x, shape, shape.contiguousStrides(), x.offset());
        Tensor c = Tensors.contiguousCopy(x);
        Tensor v = Tensors.view(c, shape, shape.contiguousStrides(), 0);
        c.close();
        return v;
    }

    /** Raw broadcast of x to {@code shape} as a new contiguous tensor. */
    static Tensor broadcastRaw(Tensor x, Shape shape) {
        if (!Shape.broadcast(x.shape(), shape).equals(shape)) {
            throw new IllegalArgumentException("cannot broadcast " + x.shape() + " to " + shape);
        }
        int[] to = shape.dims(), from = x.shape().dims();
        long[] xs = x.strides();
        long[] st = new long[to.length];
        int shift = to.length - from.length;
        for (int i = 0; i < to.length; i++) {
            int j = i - shift;
            st[i] = j < 0 || from[j] == 1 ? 0 : xs[j];
        }
        Tensor view = Tensors.view(x, shape, st, x.offset());
        Tensor out = Tensors.emptyLike(x, shape);
        Device.backendOf(x).copy(view, out);
        view.close();
        return out;
    }

    /** The same elements with another shape (a view when x is contiguous). */
    public static Tensor reshape(Tensor x, Shape shape) {
        Tensor y = reshapeRaw(x, shape);
        if (!Node.wanted(x)) return y;
        return new Node("reshape", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {reshapeRaw(g, x.shape())};
            }
        }.attach(y);
    }

    public static Tensor reshape(Tensor x, int... dims) { return reshape(x, Shape.of(dims)); }

    /** x broadcast to {@code shape} (a copy); backward sums back. */
    public static Tensor broadcast(Tensor x, Shape shape) {
        Tensor y = broadcastRaw(x, shape);
        if (!Node.wanted(x)) return y;
        return new Node("broadcast", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {ElementwiseOps.sumToRaw(g, x.shape())};
            }
        }.attach(y);
    }

    /** Raw view of elements [start, start + length) along {@code axis}. */
    static Tensor narrowRaw(Tensor x, int axis, int start, int length) {
        int a = x.shape().normalizeAxis(axis);
        if (start < 0 || length < 0 || start + length > x.dim(a)) {
            throw new IllegalArgumentException("narrow [" + start + ", " + (start + length) + ") out of range for axis " + a + " of " + x.shape());
        }
        return Tensors.view(x, x.shape().with(a, length), x.strides(), x.offset() + start * x.stride(a));
    }

    /**
     * A contiguous copy of elements [start, start + length) along {@code axis}
     * (e.g. channels of NCHW). Backward writes g into a zero tensor of x's shape.
     */
    public static Tensor slice(Tensor x, int axis, int start, int length) {
        Tensor view = narrowRaw(x, axis, start, length);
        Tensor y = Tensors.contiguousCopy(view);
        view.close();
        if (!Node.wanted(x)) return y;
        return new Node("slice", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gx = Tensors.emptyLike(g, x.shape());
                Device.backendOf(g).fill(gx, 0);
                Tensor region = narrowRaw(gx, axis, start, length);
                Device.backendOf(g).copy(g, region);
                region.close();
                return new Tensor[] {gx};
            }
        }.attach(y);
    }

    /** Concatenation along {@code axis}; every input has the same shape except along axis. */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat of nothing");
        int a = xs[0].shape().normalizeAxis(axis);
        int total = 0;
        for (Tensor x : xs) {
            if (x.rank() != xs[0].rank() || !x.shape().with(a, 0).equals(xs[0].shape().with(a, 0))) {
                throw new IllegalArgumentException("concat along axis " + a + ": " + x.shape() + " does not match " + xs[0].shape());
            }
            total += x.dim(a);
        }
        Tensor y = Tensors.emptyLike(xs[0], xs[0].shape().with(a, total));
        int[] starts = new int[xs.length];
        int off = 0;
        for (int i = 0; i < xs.length; i++) {
            starts[i] = off;
            Tensor region = narrowRaw(y, a, off, xs[i].dim(a));
            Device.backendOf(y).copy(xs[i], region);
            region.close();
            off += xs[i].dim(a);
        }
        if (!Node.wanted(xs)) return y;
        return new Node("concat", xs) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor[] gs = new Tensor[xs.length];
                for (int i = 0; i < xs.length; i++) {
                    if (!needs[i]) continue;
                    Tensor v = narrowRaw(g, a, starts[i], xs[i].dim(a));
                    gs[i] = Tensors.contiguousCopy(v);
                    v.close();
                }
                return gs;
            }
        }.attach(y);
    }
}
