package adl.backend.cpu;

import adl.backend.BinaryOp;
import adl.backend.UnaryOp;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/** Elementwise maps and the reverse of broadcasting, F32 and F64. */
final class CpuElementwise {
    /** Elements per parallel task: fixed, so the partition never depends on the thread count. */
    private static final int CHUNK = 1 << 14;

    private CpuElementwise() {}

    /** y = op(x, s); x, y contiguous, same shape (y may be x). */
    static void unary(UnaryOp op, Tensor x, double s, Tensor y) {
        CpuCopy.requireContiguous(x, "unary", op);
        CpuCopy.requireContiguous(y, "unary", op);
        if (!x.shape().equals(y.shape())) throw new IllegalArgumentException("unary " + op + ": " + x.shape() + " -> " + y.shape());
        int n = x.shape().size();
        int xo = (int) x.offset(), yo = (int) y.offset();
        int tasks = (n + CHUNK - 1) / CHUNK;
        if (x.dtype() == DType.F32) {
            float[] a = CpuStorage.f32(x), b = CpuStorage.f32(y);
            float fs = (float) s;
            Parallel.forEach(tasks, CHUNK, t -> {
                int lo = t * CHUNK, hi = Math.min(n, lo + CHUNK);
                if (xo == yo) sameOffsetF32(op, a, b, xo + lo, xo + hi, fs);
                else for (int i = lo; i < hi; i++) b[yo + i] = apply(op, a[xo + i], fs);
            });
        } else {
            double[] a = CpuStorage.f64(x), b = CpuStorage.f64(y);
            Parallel.forEach(tasks, CHUNK, t -> {
                int lo = t * CHUNK, hi = Math.min(n, lo + CHUNK);
                for (int i = lo; i < hi; i++) b[yo + i] = apply(op, a[xo + i], s);
            });
        }
    }

    /**
     * b[i] = op(a[i]) for i in [lo, hi): both arrays indexed by one variable, the loop chosen
     * outside it, so C2 vectorises the common ops (with a separate base offset per array it may not).
     */
    private static void sameOffsetF32(UnaryOp op, float[] a, float[] b, int lo, int hi, float s) {
        switch (op) {
            case NEG -> { for (int i = lo; i < hi; i++) b[i] = -a[i]; }
            case RELU -> { for (int i = lo; i < hi; i++) b[i] = Math.max(a[i], 0f); }
            case ADD_SCALAR -> { for (int i = lo; i < hi; i++) b[i] = a[i] + s; }
            case MUL_SCALAR -> { for (int i = lo; i < hi; i++) b[i] = a[i] * s; }
            default -> { for (int i = lo; i < hi; i++) b[i] = apply(op, a[i], s); }
        }
    }

    /** relu(v) = max(v, 0), NaN in → NaN out (PyTorch's torch.relu; the CUDA twin does the same). */
    private static float apply(UnaryOp op, float v, float s) {
        return switch (op) {
            case NEG -> -v;
            case RELU -> Math.max(v, 0f);
            case EXP -> (float) Math.exp(v);
            case LOG -> (float) Math.log(v);
            case SQRT -> (float) Math.sqrt(v);
            case ADD_SCALAR -> v + s;
            case MUL_SCALAR -> v * s;
            case POW_SCALAR -> (float) Math.pow(v, s);
            case RECIPROCAL -> 1f / v;
        };
    }

    private static double apply(UnaryOp op, double v, double s) {
        return switch (op) {
            case NEG -> -v;
            case RELU -> Math.max(v, 0.0);
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case SQRT -> Math.sqrt(v);
            case ADD_SCALAR -> v + s;
            case MUL_SCALAR -> v * s;
            case POW_SCALAR -> Math.pow(v, s);
            case RECIPROCAL -> 1.0 / v;
        };
    }

    /** z = op(a, b) with a, b broadcast to z's shape; z contiguous; a, b any layout. */
    static void binary(BinaryOp op, Tensor a, Tensor b, Tensor z) {
        CpuCopy.requireContiguous(z, "binary", op);
        if (a.shape().equals(z.shape()) && b.shape().equals(z.shape()) && a.isContiguous() && b.isContiguous()) {
            sameShape(op, a, b, z); // no broadcasting: skip the strided-loop set-up (most calls, small tensors)
            return;
        }
        Shape expect = Shape.broadcast(a.shape(), b.shape());
        if (!Shape.broadcast(expect, z.shape()).equals(z.shape())) {
            throw new IllegalArgumentException("binary " + op + ": " + a.shape() + ", " + b.shape() + " -> " + z.shape());
        }
        int[] zs = z.shape().dims();
        long[] as = StridedLoop.broadcastStrides(a.shape().dims(), a.strides(), zs);
        long[] bs = StridedLoop.broadcastStrides(b.shape().dims(), b.strides(), zs);
        StridedLoop loop = new StridedLoop(zs, as, bs, z.strides());
        int n = loop.inner();
        long sa = loop.innerStride(0), sb = loop.innerStride(1);
        long runs = loop.outerCount();
        long runsPerTask = Math.max(1, CHUNK / Math.max(1, n));
        int tasks = (int) ((runs + runsPerTask - 1) / runsPerTask);
        boolean f32 = z.dtype() == DType.F32;
        Parallel.forEach(tasks, runsPerTask * n, t -> {
            long r0 = t * runsPerTask, r1 = Math.min(runs, r0 + runsPerTask);
            for (long r = r0; r < r1; r++) {
                int ao = (int) (a.offset() + loop.start(0, r));
                int bo = (int) (b.offset() + loop.start(1, r));
                int zo = (int) (z.offset() + loop.start(2, r));
                if (f32) runF32(op, CpuStorage.f32(a), ao, (int) sa, CpuStorage.f32(b), bo, (int) sb, CpuStorage.f32(z), zo, n);
                else runF64(op, CpuStorage.f64(a), ao, (int) sa, CpuStorage.f64(b), bo, (int) sb, CpuStorage.f64(z), zo, n);
            }
        });
    }

    /** z = op(a, b), all three contiguous with one shape: the same chunks as the strided path. */
    private static void sameShape(BinaryOp op, Tensor a, Tensor b, Tensor z) {
        int n = z.shape().size(), tasks = (n + CHUNK - 1) / CHUNK;
        int ao = (int) a.offset(), bo = (int) b.offset(), zo = (int) z.offset();
        boolean f32 = z.dtype() == DType.F32;
        Parallel.forEach(tasks, CHUNK, t -> {
            int lo = t * CHUNK, len = Math.min(n, lo + CHUNK) - lo;
            if (f32) runF32(op, CpuStorage.f32(a), ao + lo, 1, CpuStorage.f32(b), bo + lo, 1, CpuStorage.f32(z), zo + lo, len);
            else runF64(op, CpuStorage.f64(a), ao + lo, 1, CpuStorage.f64(b), bo + lo, 1, CpuStorage.f64(z), zo + lo, len);
        });
    }

    /**
     * z[i] = b[i] > 0 ? a[i] : 0 over [lo, hi) (ReLU's backward: a the gradient, b the output), in
     * arithmetic the JIT vectorises — it does not vectorise the select itself, and at the search's
     * sizes ReLU's backward ran 4-5x slower than the other element-wise ops. With m =
     * max(signum(b), 0), which is 1 where b > 0 and 0 where not (b ≠ NaN), z = a·m − (m − 1)·0 is
     * a − (+0) = a where m = 1 (−0 stays −0) and (±0) − (−0) = +0 where m = 0: the select's bits for
     * every finite a. One read-only pass first checks that every a is finite and no b is NaN or
     * infinite (|a| + (b − b) is finite); otherwise the select runs as it is. z may be a or b.
     */
    static void maskPositive(float[] a, float[] b, float[] z, int lo, int hi) {
        float check = 0f;
        for (int i = lo; i < hi; i++) check = Math.max(check, Math.abs(a[i]) + (b[i] - b[i]));
        if (check <= Float.MAX_VALUE) {
            for (int i = lo; i < hi; i++) {
                float m = Math.max(Math.signum(b[i]), 0f);
                z[i] = a[i] * m - (m - 1f) * 0f;
            }
        } else {
            for (int i = lo; i < hi; i++) z[i] = b[i] > 0 ? a[i] : 0f;
        }
    }

    private static void runF32(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] z, int zo, int n) {
        if (sa == 1 && sb == 1 && ao == zo && bo == zo) { // one index for all three arrays: C2 vectorises
            int hi = zo + n;
            switch (op) {
                case ADD -> { for (int i = zo; i < hi; i++) z[i] = a[i] + b[i]; }
                case SUB -> { for (int i = zo; i < hi; i++) z[i] = a[i] - b[i]; }
                case MUL -> { for (int i = zo; i < hi; i++) z[i] = a[i] * b[i]; }
                case DIV -> { for (int i = zo; i < hi; i++) z[i] = a[i] / b[i]; }
                case MASK_POSITIVE -> maskPositive(a, b, z, zo, hi);
            }
            return;
        }
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) z[zo + i] = a[ao + i] + b[bo + i]; }
                case SUB -> { for (int i = 0; i < n; i++) z[zo + i] = a[ao + i] - b[bo + i]; }
                case MUL -> { for (int i = 0; i < n; i++) z[zo + i] = a[ao + i] * b[bo + i]; }
                case DIV -> { for (int i = 0; i < n; i++) z[zo + i] = a[ao + i] / b[bo + i]; }
                case MASK_POSITIVE -> { for (int i = 0; i < n; i++) z[zo + i] = b[bo + i] > 0 ? a[ao + i] : 0f; }
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float x = a[ao + i * sa], y = b[bo + i * sb];
            z[zo + i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case MASK_POSITIVE -> y > 0 ? x : 0f;
            };
        }
    }

    private static void runF64(BinaryOp op, double[] a, int ao, int sa, double[] b, int bo, int sb, double[] z, int zo, int n) {
        for (int i = 0; i < n; i++) {
            double x = a[ao + i * sa], y = b[bo + i * sb];
            z[zo + i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case MASK_POSITIVE -> y > 0 ? x : 0.0;
            };
        }
    }

    /**
     * y = x summed over the broadcast dimensions (y's shape broadcasts to x's). y contiguous.
     * Each output element accumulates its inputs in row-major order of x (double accumulator).
     */
    static void sumTo(Tensor x, Tensor y) {
        CpuCopy.requireContiguous(y, "sumTo");
        if (!Shape.broadcast(y.shape(), x.shape()).equals(x.shape())) {
            throw new IllegalArgumentException("sumTo: " + y.shape() + " does not broadcast to " + x.shape());
        }
        int[] xs = x.shape().dims();
        long[] ys = StridedLoop.broadcastStrides(y.shape().dims(), y.strides(), xs);
        StridedLoop loop = new StridedLoop(xs, x.strides(), ys);
        int n = loop.inner();
        long sx = loop.innerStride(0), sy = loop.innerStride(1);
        double[] acc = new double[y.shape().size()];
        double[] xv = x.dtype() == DType.F64 ? CpuStorage.f64(x) : null;
        float[] xf = x.dtype() == DType.F32 ? CpuStorage.f32(x) : null;
        for (long r = 0, runs = loop.outerCount(); r < runs; r++) {
            int xo = (int) (x.offset() + loop.start(0, r));
            int yo = (int) loop.start(1, r);
            for (int i = 0; i < n; i++) {
                double v = xf != null ? xf[xo + (int) (i * sx)] : xv[xo + (int) (i * sx)];
                acc[yo + (int) (i * sy)] += v;
            }
        }
        CpuCopy.write(y, acc);
    }
}
