package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.SplittableRandom;

/** Data movement on the CPU: strided copy, fill, seeded random, host transfers. */
final class CpuCopy {
    private CpuCopy() {}

    /** dst = src; same shape; both may be strided. Contract: src.shape == dst.shape, same dtype. */
    static void copy(Tensor src, Tensor dst) {
        if (!src.shape().equals(dst.shape())) {
            throw new IllegalArgumentException("copy: shape " + src.shape() + " into " + dst.shape());
        }
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("copy: dtype " + src.dtype() + " into " + dst.dtype());
        }
        StridedLoop loop = new StridedLoop(src.shape().dims(), src.strides(), dst.strides());
        int n = loop.inner();
        long ss = loop.innerStride(0), ds = loop.innerStride(1);
        long runs = loop.outerCount();
        Object sa = array(src), da = array(dst);
        for (long r = 0; r < runs; r++) {
            int so = (int) (src.offset() + loop.start(0, r));
            int dof = (int) (dst.offset() + loop.start(1, r));
            if (ss == 1 && ds == 1) {
                System.arraycopy(sa, so, da, dof, n);
            } else {
                switch (src.dtype()) {
                    case F32 -> { float[] s = (float[]) sa, d = (float[]) da; for (int i = 0; i < n; i++) d[dof + (int) (i * ds)] = s[so + (int) (i * ss)]; }
                    case F64 -> { double[] s = (double[]) sa, d = (double[]) da; for (int i = 0; i < n; i++) d[dof + (int) (i * ds)] = s[so + (int) (i * ss)]; }
                    case I32 -> { int[] s = (int[]) sa, d = (int[]) da; for (int i = 0; i < n; i++) d[dof + (int) (i * ds)] = s[so + (int) (i * ss)]; }
                }
            }
        }
    }

    static Object array(Tensor t) {
        return switch (t.dtype()) {
            case F32 -> CpuStorage.f32(t);
            case F64 -> CpuStorage.f64(t);
            case I32 -> CpuStorage.i32(t);
        };
    }

    /** Every element of contiguous dst = value. */
    static void fill(Tensor dst, double value) {
        requireContiguous(dst, "fill");
        int off = (int) dst.offset(), n = dst.shape().size();
        switch (dst.dtype()) {
            case F32 -> java.util.Arrays.fill(CpuStorage.f32(dst), off, off + n, (float) value);
            case F64 -> java.util.Arrays.fill(CpuStorage.f64(dst), off, off + n, value);
            case I32 -> java.util.Arrays.fill(CpuStorage.i32(dst), off, off + n, (int) value);
        }
    }

    static void randn(Tensor dst, long seed, double mean, double std) {
        requireContiguous(dst, "randn");
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[dst.shape().size()];
        for (int i = 0; i < v.length; i++) v[i] = mean + std * rng.nextGaussian();
        write(dst, v);
    }

    static void uniform(Tensor dst, long seed, double lo, double hi) {
        requireContiguous(dst, "uniform");
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[dst.shape().size()];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rng.nextDouble();
        write(dst, v);
    }

    static void write(Tensor dst, double[] values) {
        requireContiguous(dst, "write");
        int off = (int) dst.offset();
        switch (dst.dtype()) {
            case F32 -> { float[] d = CpuStorage.f32(dst); for (int i = 0; i < values.length; i++) d[off + i] = (float) values[i]; }
            case F64 -> System.arraycopy(values, 0, CpuStorage.f64(dst), off, values.length);
            case I32 -> { int[] d = CpuStorage.i32(dst); for (int i = 0; i < values.length; i++) d[off + i] = (int) values[i]; }
        }
    }

    static void writeInts(Tensor dst, int[] values) {
        requireContiguous(dst, "writeInts");
        if (dst.dtype() != DType.I32) throw new IllegalArgumentException("writeInts into " + dst.describe());
        System.arraycopy(values, 0, CpuStorage.i32(dst), (int) dst.offset(), values.length);
    }

    static double[] read(Tensor src) {
        double[] out = new double[src.shape().size()];
        read(src, out);
        return out;
    }

    /** src's elements, in row-major order, into out[0 .. numel). */
    static void read(Tensor src, double[] out) {
        StridedLoop loop = new StridedLoop(src.shape().dims(), src.strides());
        int n = loop.inner();
        long ss = loop.innerStride(0);
        int k = 0;
        for (long r = 0, runs = loop.outerCount(); r < runs; r++) {
            int so = (int) (src.offset() + loop.start(0, r));
            switch (src.dtype()) {
                case F32 -> { float[] s = CpuStorage.f32(src); for (int i = 0; i < n; i++) out[k++] = s[so + (int) (i * ss)]; }
                case F64 -> { double[] s = CpuStorage.f64(src); for (int i = 0; i < n; i++) out[k++] = s[so + (int) (i * ss)]; }
                case I32 -> { int[] s = CpuStorage.i32(src); for (int i = 0; i < n; i++) out[k++] = s[so + (int) (i * ss)]; }
            }
        }
    }

    static void requireContiguous(Tensor t, String op) {
        if (!t.isContiguous()) throw new IllegalArgumentException(op + ": tensor " + t.describe() + " must be contiguous");
    }

    /** As {@link #requireContiguous(Tensor, String)} with the message's op "op detail", built only on failure (hot paths). */
    static void requireContiguous(Tensor t, String op, Object detail) {
        if (!t.isContiguous()) requireContiguous(t, op + " " + detail);
    }
}
