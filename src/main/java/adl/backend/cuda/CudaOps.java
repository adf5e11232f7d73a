package adl.backend.cuda;

import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.UnaryOp;
import adl.backend.cpu.CpuBackend;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static adl.backend.cuda.CudaStorage.ptr;

/** Data movement and elementwise ops of {@link CudaBackend} (layouts, checks, host transfers). */
final class CudaOps {
    private final CudaBackend b;
    private final CudaKernels k;

    CudaOps(CudaBackend backend) {
        this.b = backend;
        this.k = backend.kernels;
    }

    static UnsupportedOperationException f64(String op, Tensor t) {
        return new UnsupportedOperationException("not yet on CUDA: " + op + " on " + t.dtype() + " (" + t.describe()
                + "); the GPU kernels are float32, F64 runs on the CPU");
    }

    static void f32(String op, Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() != DType.F32) throw f64(op, t);
    }

    static void contiguous(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && !t.isContiguous()) throw new IllegalArgumentException(op + ": " + t.describe() + " must be contiguous");
        }
    }

    static int n(String op, Tensor t) {
        if (t.numel() > Integer.MAX_VALUE) throw new UnsupportedOperationException(op + ": " + t.describe() + " needs 64-bit indexing");
        return (int) t.numel();
    }

    static long[] dims(Tensor t) { return Arrays.stream(t.shape().dims()).asLongStream().toArray(); }

    // ---- data movement ----

    /** src, dst: same shape, any strides (no overlap); F64 moves as pairs of 32-bit words. */
    void copy(Tensor src, Tensor dst) {
        if (!src.shape().equals(dst.shape()) || src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("copy: " + src.describe() + " -> " + dst.describe());
        }
        if (src.numel() == 0) return;
        long[] d = dims(src), ss = src.strides(), ds = dst.strides();
        if (src.dtype() == DType.F64) {
            d = Arrays.copyOf(d, d.length + 1);
            d[d.length - 1] = 2;
            ss = words(ss);
            ds = words(ds);
        }
        Layout4 l = Layout4.of("copy", d, ss, ds);
        if (src.dtype() == DType.F32) {
            k.copyStridedF32(ptr(src), l.strides()[0], ptr(dst), l.strides()[1], l.dims(), b.stream);
        } else {
            k.copyStridedI32(ptr(src), l.strides()[0], ptr(dst), l.strides()[1], l.dims(), b.stream);
        }
    }

    private static long[] words(long[] strides) {
        long[] w = Arrays.copyOf(strides, strides.length + 1);
        for (int i = 0; i < strides.length; i++) w[i] = 2 * strides[i];
        w[strides.length] = 1;
        return w;
    }

    /** dst contiguous. */
    void fill(Tensor dst, double value) {
        contiguous("fill", dst);
        int n = n("fill", dst);
        if (n == 0) return;
        switch (dst.dtype()) {
            case F32 -> k.fillF32(ptr(dst), n, (float) value, b.stream);
            case I32 -> k.fillI32(ptr(dst), n, (int) value, b.stream);
            case F64 -> {
                double[] v = new double[n];
                Arrays.fill(v, value);
                write(dst, v);
            }
        }
    }

    /** Drawn on the host by the CPU backend's generator (same seed, same values as on the CPU), then uploaded. */
    void randn(Tensor dst, long seed, double mean, double std) {
        try (Tensor h = host(dst)) {
            CpuBackend.INSTANCE.randn(h, seed, mean, std);
            write(dst, CpuBackend.INSTANCE.read(h));
        }
    }

    void uniform(Tensor dst, long seed, double lo, double hi) {
        try (Tensor h = host(dst)) {
            CpuBackend.INSTANCE.uniform(h, seed, lo, hi);
            write(dst, CpuBackend.INSTANCE.read(h));
        }
    }

    private static Tensor host(Tensor like) {
        Shape s = like.shape();
        return new Tensor(Device.CPU.backend().allocate(like.dtype(), s.numel()), s, s.contiguousStrides(), 0);
    }

    /** dst contiguous F32/F64, values.length == numel. */
    void write(Tensor dst, double[] values) {
        contiguous("write", dst);
        if (values.length != dst.numel()) {
            throw new IllegalArgumentException("write: " + values.length + " values into " + dst.describe());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = switch (dst.dtype()) {
                case F32 -> {
                    MemorySegment s = a.allocate(ValueLayout.JAVA_FLOAT, values.length);
                    for (int i = 0; i < values.length; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) values[i]);
                    yield s;
                }
                case F64 -> a.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
                case I32 -> throw new IllegalArgumentException("write: " + dst.describe() + " is I32; use writeInts");
            };
            b.toDevice(ptr(dst), h, h.byteSize(), "write of " + dst.describe());
        }
    }

    void writeInts(Tensor dst, int[] values) {
        contiguous("writeInts", dst);
        if (dst.dtype() != DType.I32 || values.length != dst.numel()) {
            throw new IllegalArgumentException("writeInts: " + values.length + " ints into " + dst.describe());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocateFrom(ValueLayout.JAVA_INT, values);
            b.toDevice(ptr(dst), h, h.byteSize(), "writeInts of " + dst.describe());
        }
    }

    /** src any layout: a strided src is first made contiguous on the device. */
    double[] read(Tensor src) {
        if (!src.isContiguous()) {
            try (Tensor c = b.scratch(src.dtype(), src.shape())) {
                copy(src, c);
                return read(c);
            }
        }
        int n = n("read", src);
        double[] out = new double[n];
        if (n == 0) return out;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate((long) n * src.dtype().bytes(), 8);
            b.toHost(h, ptr(src), h.byteSize(), "read of " + src.describe());
            for (int i = 0; i < n; i++) {
                out[i] = switch (src.dtype()) {
                    case F32 -> h.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    case F64 -> h.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                    case I32 -> h.getAtIndex(ValueLayout.JAVA_INT, i);
                };
            }
        }
        return out;
    }

    // ---- elementwise ----

    /** x, y: same shape, contiguous (y may be x). */
    void unary(UnaryOp op, Tensor x, double scalar, Tensor y) {
        if (!x.shape().equals(y.shape())) throw new IllegalArgumentException("unary " + op + ": " + x.shape() + " -> " + y.shape());
        f32("unary " + op, x, y);
        contiguous("unary " + op, x, y);
        int n = n("unary", y);
        if (n > 0) k.unary(op, ptr(x), (float) scalar, ptr(y), n, b.stream);
    }

    /** z contiguous = op(a, b) with NumPy broadcasting of a and b (any strides) to z's shape. */
    void binary(BinaryOp op, Tensor a, Tensor bb, Tensor z) {
        f32("binary " + op, a, bb, z);
        contiguous("binary " + op, z);
        long[] zd = dims(z);
        long[] as = broadcastStrides(op, a, z), bs = broadcastStrides(op, bb, z);
        if (z.numel() == 0) return;
        Layout4 l = Layout4.of("binary " + op, zd, as, bs, z.strides());
        k.binary(op, ptr(a), l.strides()[0], ptr(bb), l.strides()[1], ptr(z), l.dims(), b.stream);
    }

    /** t's strides over z's dims (right-aligned), 0 where t is broadcast. */
    private static long[] broadcastStrides(BinaryOp op, Tensor t, Tensor z) {
        int r = z.rank(), off = r - t.rank();
        if (off < 0) throw new IllegalArgumentException("binary " + op + ": " + t.shape() + " does not broadcast to " + z.shape());
        long[] s = new long[r], ts = t.strides();
        for (int i = 0; i < t.rank(); i++) {
            int td = t.dim(i), zd = z.dim(i + off);
            if (td == zd) s[i + off] = ts[i];
            else if (td != 1) throw new IllegalArgumentException("binary " + op + ": " + t.shape() + " does not broadcast to " + z.shape());
        }
        return s;
    }

    /** y (contiguous, x's rank or fewer leading dims, each 1 or x's) = x summed over y's size-1 dims. */
    void sumTo(Tensor x, Tensor y) {
        f32("sumTo", x, y);
        contiguous("sumTo", y);
        int r = x.rank(), off = r - y.rank();
        if (off < 0) throw new IllegalArgumentException("sumTo: " + y.shape() + " does not broadcast to " + x.shape());
        long[] yd = new long[r];
        for (int i = 0; i < r; i++) {
            yd[i] = i < off ? 1 : y.dim(i - off);
            if (yd[i] != 1 && yd[i] != x.dim(i)) throw new IllegalArgumentException("sumTo: " + y.shape() + " does not broadcast to " + x.shape());
        }
        if (y.numel() == 0) return;
        if (x.numel() == 0) { fill(y, 0); return; }
        long[] ys = Layout4.contiguous(yd);
        for (int i = 0; i < r; i++) if (yd[i] == 1) ys[i] = 0;
        Layout4 l = Layout4.of("sumTo", dims(x), x.strides(), ys);
        int[] kept = new int[4];
        for (int i = 0; i < 4; i++) kept[i] = l.strides()[1][i] != 0 ? l.dims()[i] : 1;
        k.sumTo(ptr(x), l.dims(), l.strides()[0], ptr(y), kept, b.stream);
    }
}
