package adl.backend.cuda;

import adl.backend.BinaryOp;
import adl.backend.UnaryOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake CUDA device for tests without a GPU: host arena memory whose addresses pose as device
 * pointers, transfers that are plain copies, and a launcher that records every launch and runs a Java
 * reading of the README semantics of the data-movement kernels (fill, copy_strided, binary ADD/MUL,
 * sum_to, unary NEG/MUL_SCALAR, column-major SGEMM) so the backend's layout logic can be checked against the CPU backend.
 * Other entry points are only recorded (their hook may fake side effects). {@link #graphs} fakes the
 * driver's graph calls: while "capturing", launches are recorded into the graph instead of run, and
 * a graph launch runs the recorded launches again with their recorded arguments — as a replay does.
 * {@code sgd_f32} is emulated too (README semantics, lr and step read from device memory at run time).
 */
final class HostDevice implements CachingAllocator.DeviceMemory, Transfers, CudaKernels.Launcher {
    record Launch(String entry, int grid, int block, String kinds, List<Object> values) {}

    interface Hook { void run(Launch l); }

    private final Arena arena = Arena.ofShared();
    final List<Launch> launches = new ArrayList<>();
    Hook hook = l -> {};
    int gemmCalls;
    /** Driver graph calls in order: begin, end, instantiate, launch, sync, destroy. */
    final List<String> graphCalls = new ArrayList<>();
    final java.util.Map<Long, List<Launch>> graphs_ = new java.util.HashMap<>();
    private List<Launch> recording;
    private long nextGraph = 1;
    int replayedLaunches;

    final CudaGraph.Driver graphs = new CudaGraph.Driver() {
        @Override public void beginCapture() {
            if (recording != null) throw new IllegalStateException("nested capture");
            graphCalls.add("begin");
            recording = new ArrayList<>();
        }

        @Override public long endCapture() {
            graphCalls.add("end");
            long id = nextGraph++;
            graphs_.put(id, recording);
            recording = null;
            return id;
        }

        @Override public long instantiate(long graph) {
            graphCalls.add("instantiate");
            return graph + 1000;
        }

        @Override public void launch(long exec) {
            graphCalls.add("launch");
            for (Launch l : graphs_.get(exec - 1000)) {
                replayedLaunches++;
                emulate(l);
                hook.run(l);
            }
        }

        @Override public void synchronize() { graphCalls.add("sync"); }

        @Override public void destroy(long exec, long graph) {
            graphCalls.add("destroy");
            graphs_.remove(graph);
        }
    };

    /** Launches recorded by the graph being captured (null when none is). */
    List<Launch> recording() { return recording; }

    /** Column-major strided-batched SGEMM as the cuBLAS documentation defines it (op N / T, leading dimensions). */
    final CudaMatmul.Gemm gemm = (opA, opB, m, n, k, alpha, a, lda, sA, b, ldb, sB, beta, c, ldc, sC, batch) -> {
        gemmCalls++;
        for (int q = 0; q < batch; q++) {
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    double acc = 0;
                    for (int l = 0; l < k; l++) {
                        float av = getF(a, q * sA + (opA == Cublas.CUBLAS_OP_N ? i + (long) l * lda : l + (long) i * lda));
                        float bv = getF(b, q * sB + (opB == Cublas.CUBLAS_OP_N ? l + (long) j * ldb : j + (long) l * ldb));
                        acc += (double) av * bv;
                    }
                    long ci = q * sC + i + (long) j * ldc;
                    setF(c, ci, (float) (alpha * acc + (beta == 0 ? 0 : beta * getF(c, ci))));
                }
            }
        }
    };

    @Override public long allocate(long bytes) { return arena.allocate(bytes, 256).address(); }
    @Override public void free(long pointer) {}

    @Override public void toDevice(long dst, MemorySegment src, long bytes) { MemorySegment.copy(src, 0, mem(dst, bytes), 0, bytes); }
    @Override public void toHost(MemorySegment dst, long src, long bytes) { MemorySegment.copy(mem(src, bytes), 0, dst, 0, bytes); }

    static MemorySegment mem(long address, long bytes) { return MemorySegment.ofAddress(address).reinterpret(bytes); }

    CudaBackend backend() { return new CudaBackend(0, new CachingAllocator(this), new CudaKernels(this), this, 0x5eL, gemm, null, graphs); }

    @Override public void launch(String entry, int gridX, int blockX, KernelArgs args, long stream) {
        MemorySegment arr = args.pointers();
        String kinds = args.kinds();
        List<Object> v = new ArrayList<>();
        for (int i = 0; i < kinds.length(); i++) {
            MemorySegment s = arr.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(8);
            v.add(switch (kinds.charAt(i)) {
                case 'p', 'l' -> s.get(ValueLayout.JAVA_LONG, 0);
                case 'i' -> s.get(ValueLayout.JAVA_INT, 0);
                case 'f' -> s.get(ValueLayout.JAVA_FLOAT, 0);
                default -> s.get(ValueLayout.JAVA_DOUBLE, 0);
            });
        }
        Launch l = new Launch(entry, gridX, blockX, kinds, v);
        if (recording != null) {
            recording.add(l);
            return;
        }
        launches.add(l);
        emulate(l);
        hook.run(l);
    }

    private static long p(Launch l, int i) { return (Long) l.values().get(i); }
    private static int i(Launch l, int i) { return (Integer) l.values().get(i); }
    private static float f(Launch l, int i) { return (Float) l.values().get(i); }

    private static float getF(long base, long idx) { return mem(base + 4 * idx, 4).get(ValueLayout.JAVA_FLOAT, 0); }
    private static void setF(long base, long idx, float v) { mem(base + 4 * idx, 4).set(ValueLayout.JAVA_FLOAT, 0, v); }
    private static int getI(long base, long idx) { return mem(base + 4 * idx, 4).get(ValueLayout.JAVA_INT, 0); }
    private static void setI(long base, long idx, int v) { mem(base + 4 * idx, 4).set(ValueLayout.JAVA_INT, 0, v); }

    private void emulate(Launch l) {
        switch (l.entry()) {
            case "fill_f32" -> { for (int k = 0; k < i(l, 1); k++) setF(p(l, 0), k, f(l, 2)); }
            case "fill_i32" -> { for (int k = 0; k < i(l, 1); k++) setI(p(l, 0), k, i(l, 2)); }
            case "unary_f32" -> {
                UnaryOp op = UnaryOp.values()[i(l, 3)];
                for (int k = 0; k < i(l, 2); k++) {
                    float x = getF(p(l, 0), k);
                    setF(p(l, 1), k, switch (op) {
                        case NEG -> -x;
                        case MUL_SCALAR -> x * f(l, 4);
                        default -> throw new UnsupportedOperationException("emulated unary " + op);
                    });
                }
            }
            case "copy_strided_f32", "copy_strided_i32" -> {
                int[] d = {i(l, 2) / (i(l, 3) * i(l, 4) * i(l, 5)), i(l, 3), i(l, 4), i(l, 5)};
                forEach(d, (idx, c) -> setI(p(l, 1), dot(c, l, 10), getI(p(l, 0), dot(c, l, 6))));
            }
            case "binary_f32" -> {
                BinaryOp op = BinaryOp.values()[i(l, 3)];
                int[] d = {i(l, 4) / (i(l, 5) * i(l, 6) * i(l, 7)), i(l, 5), i(l, 6), i(l, 7)};
                forEach(d, (idx, c) -> {
                    float a = getF(p(l, 0), dot(c, l, 8)), b = getF(p(l, 1), dot(c, l, 12));
                    setF(p(l, 2), idx, switch (op) {
                        case ADD -> a + b;
                        case MUL -> a * b;
                        default -> throw new UnsupportedOperationException("emulated binary " + op);
                    });
                });
            }
            case "sum_to_f32" -> {
                int[] xd = {i(l, 3), i(l, 4), i(l, 5), i(l, 6)}, yd = {i(l, 11), i(l, 12), i(l, 13), i(l, 14)};
                for (int k = 0; k < i(l, 2); k++) setF(p(l, 1), k, 0f);
                forEach(xd, (idx, c) -> {
                    long y = 0;
                    for (int a = 0; a < 4; a++) y = y * yd[a] + (yd[a] == 1 ? 0 : c[a]);
                    setF(p(l, 1), y, getF(p(l, 1), y) + getF(p(l, 0), dot(c, l, 7)));
                });
            }
            case "sgd_f32" -> {
                long p = p(l, 0), g = p(l, 1), buf = p(l, 2);
                double lr = mem(p(l, 4), 8).get(ValueLayout.JAVA_DOUBLE, 0);
                boolean first = mem(p(l, 5), 8).get(ValueLayout.JAVA_LONG, 0) <= 1, nesterov = i(l, 8) != 0;
                float mo = f(l, 6), wd = f(l, 7), nlr = (float) -lr;
                for (int k = 0; k < i(l, 3); k++) {
                    float pi = getF(p, k), d = getF(g, k) + wd * pi;
                    if (mo != 0f) {
                        float m = first ? d : getF(buf, k) * mo + d;
                        setF(buf, k, m);
                        d = nesterov ? d + mo * m : m;
                    }
                    setF(p, k, pi + nlr * d);
                }
            }
            default -> {}
        }
    }

    private interface Body { void at(long linear, int[] coord); }

    private static void forEach(int[] d, Body body) {
        int[] c = new int[4];
        long n = (long) d[0] * d[1] * d[2] * d[3];
        for (long idx = 0; idx < n; idx++) {
            long r = idx;
            for (int a = 3; a >= 0; a--) { c[a] = (int) (r % d[a]); r /= d[a]; }
            body.at(idx, c);
        }
    }

    /** Σ c[a]·stride[a] with the four strides at argument positions first..first+3. */
    private static long dot(int[] c, Launch l, int first) {
        long s = 0;
        for (int a = 0; a < 4; a++) s += (long) c[a] * i(l, first + a);
        return s;
    }
}
