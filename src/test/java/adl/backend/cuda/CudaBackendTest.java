package adl.backend.cuda;

import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.LibraryUnavailableException;
import adl.backend.UnaryOp;
import adl.backend.cpu.CpuBackend;
import adl.memory.MemoryStats;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static adl.backend.cuda.CudaStorage.ptr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CudaBackend's Java side on a fake device ({@link HostDevice}: host memory as device memory, the
 * data-movement kernels emulated from their README contract): transfers, layouts (collapse,
 * broadcast strides, sumTo dims), scratch and device scalars, checks, and what is not on CUDA yet.
 * The CPU backend gives the expected values. No GPU, no libcuda.
 */
class CudaBackendTest {
    final HostDevice dev = new HostDevice();
    final CudaBackend cuda = dev.backend();
    final List<Tensor> open = new ArrayList<>();

    Tensor on(CudaBackend be, DType t, int... dims) {
        Shape s = Shape.of(dims);
        Tensor x = new Tensor(be.allocate(t, s.numel()), s, s.contiguousStrides(), 0);
        open.add(x);
        return x;
    }

    Tensor cpu(DType t, int... dims) {
        Shape s = Shape.of(dims);
        Tensor x = new Tensor(CpuBackend.INSTANCE.allocate(t, s.numel()), s, s.contiguousStrides(), 0);
        open.add(x);
        return x;
    }

    static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(2001) / 64.0 - 15;   // exact in float and double
        return v;
    }

    void closeAll() { for (Tensor t : open) t.close(); open.clear(); }

    @Test
    void writeReadRoundTripsAndStatsBalance() {
        long live = MemoryStats.liveStorages();
        assertEquals(new Device(Device.Kind.CUDA, 0), cuda.device());
        Tensor f = on(cuda, DType.F32, 3, 5), d = on(cuda, DType.F64, 7), i = on(cuda, DType.I32, 4);
        assertEquals("cuda:0", f.deviceName());
        double[] v = random(15, 1);
        cuda.write(f, v);
        assertArrayEquals(v, cuda.read(f));
        double[] w = {Math.PI, -1e-300, 2, 3, 4, 5, 6};
        cuda.write(d, w);
        assertArrayEquals(w, cuda.read(d));
        cuda.writeInts(i, new int[] {7, -1, 255, 0});
        assertArrayEquals(new double[] {7, -1, 255, 0}, cuda.read(i));
        assertThrows(IllegalArgumentException.class, () -> cuda.write(f, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> cuda.write(i, new double[4]));
        closeAll();
        assertEquals(live, MemoryStats.liveStorages());
    }

    @Test
    void fillAndRandomMatchTheCpu() {
        Tensor f = on(cuda, DType.F32, 5), d = on(cuda, DType.F64, 3), i = on(cuda, DType.I32, 2);
        cuda.fill(f, 2.5);
        cuda.fill(d, -0.1);
        cuda.fill(i, 9);
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5, 2.5}, cuda.read(f));
        assertArrayEquals(new double[] {-0.1, -0.1, -0.1}, cuda.read(d));
        assertArrayEquals(new double[] {9, 9}, cuda.read(i));
        Tensor g = on(cuda, DType.F32, 2, 9), h = cpu(DType.F32, 2, 9);
        cuda.randn(g, 42, 0.5, 2);
        CpuBackend.INSTANCE.randn(h, 42, 0.5, 2);
        assertArrayEquals(CpuBackend.INSTANCE.read(h), cuda.read(g));
        cuda.uniform(g, 7, -1, 1);
        CpuBackend.INSTANCE.uniform(h, 7, -1, 1);
        assertArrayEquals(CpuBackend.INSTANCE.read(h), cuda.read(g));
        closeAll();
    }

    /** A [2, 3, 4] tensor viewed transposed as [4, 3, 2] (strides [1, 4, 12]). */
    Tensor transposed(Tensor base) {
        base.storage().retain();
        Tensor t = new Tensor(base.storage(), Shape.of(4, 3, 2), new long[] {1, 4, 12}, 0);
        open.add(t);
        return t;
    }

    @Test
    void stridedCopyAndReadFollowTheCpu() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            double[] v = random(24, 3);
            Tensor g = on(cuda, t, 2, 3, 4), h = cpu(t, 2, 3, 4);
            cuda.write(g, v);
            CpuBackend.INSTANCE.write(h, v);
            double[] want = CpuBackend.INSTANCE.read(transposed(h));
            assertArrayEquals(want, cuda.read(transposed(g)), t + " read of a transposed view");
            Tensor out = on(cuda, t, 4, 3, 2);
            cuda.copy(transposed(g), out);
            assertArrayEquals(want, cuda.read(out), t + " copy of a transposed view");
        }
        closeAll();
    }

    @Test
    void binaryBroadcastAndUnaryFollowTheCpu() {
        double[] av = random(2 * 3 * 4, 5), bv = random(3, 6);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.MUL}) {
            Tensor a = on(cuda, DType.F32, 2, 3, 4), b = on(cuda, DType.F32, 3, 1), z = on(cuda, DType.F32, 2, 3, 4);
            Tensor ha = cpu(DType.F32, 2, 3, 4), hb = cpu(DType.F32, 3, 1), hz = cpu(DType.F32, 2, 3, 4);
            cuda.write(a, av); cuda.write(b, bv);
            CpuBackend.INSTANCE.write(ha, av); CpuBackend.INSTANCE.write(hb, bv);
            cuda.binary(op, a, b, z);
            CpuBackend.INSTANCE.binary(op, ha, hb, hz);
            assertArrayEquals(CpuBackend.INSTANCE.read(hz), cuda.read(z), op.toString());
        }
        // rank 5, contiguous: collapses to one dim
        Tensor a5 = on(cuda, DType.F32, 2, 1, 3, 2, 2), z5 = on(cuda, DType.F32, 2, 1, 3, 2, 2);
        cuda.write(a5, random(24, 8));
        cuda.binary(BinaryOp.ADD, a5, a5, z5);
        HostDevice.Launch l = dev.launches.getLast();
        assertEquals(List.of(1, 1, 24), l.values().subList(5, 8), "collapsed dims");
        double[] r = cuda.read(a5), s = cuda.read(z5);
        for (int i = 0; i < 24; i++) assertEquals(2 * r[i], s[i]);
        // unary in place
        cuda.unary(UnaryOp.MUL_SCALAR, z5, 0.5, z5);
        assertArrayEquals(r, cuda.read(z5));
        assertThrows(IllegalArgumentException.class, () -> cuda.binary(BinaryOp.ADD, on(cuda, DType.F32, 3), a5, z5));
        closeAll();
    }

    @Test
    void sumToFollowsTheCpu() {
        double[] xv = random(2 * 3 * 4 * 5, 9);
        int[][] targets = {{3, 1, 1}, {1, 5}, {2, 1, 4, 1}, {1}, {2, 3, 4, 5}};
        for (int[] yd : targets) {
            Tensor x = on(cuda, DType.F32, 2, 3, 4, 5), y = on(cuda, DType.F32, yd);
            Tensor hx = cpu(DType.F32, 2, 3, 4, 5), hy = cpu(DType.F32, yd);
            cuda.write(x, xv);
            CpuBackend.INSTANCE.write(hx, xv);
            cuda.sumTo(x, y);
            CpuBackend.INSTANCE.sumTo(hx, hy);
            double[] want = CpuBackend.INSTANCE.read(hy), got = cuda.read(y);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4, java.util.Arrays.toString(yd) + " at " + i);
        }
        closeAll();
    }

    @Test
    void optimizerScalarsAreOnTheDeviceAtLaunch() {
        Tensor p = on(cuda, DType.F32, 10), g = on(cuda, DType.F32, 10), m = on(cuda, DType.F32, 10), v = on(cuda, DType.F32, 10);
        double[] seen = new double[2];
        dev.hook = l -> {
            if (l.entry().equals("adam_f32") || l.entry().equals("sgd_f32")) {
                int at = l.entry().equals("adam_f32") ? 5 : 4;   // lr, then step (README parameter lists)
                seen[0] = HostDevice.mem((Long) l.values().get(at), 8).get(java.lang.foreign.ValueLayout.JAVA_DOUBLE, 0);
                seen[1] = HostDevice.mem((Long) l.values().get(at + 1), 8).get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
            }
        };
        cuda.adamStep(p, g, m, v, 17, 0.003, 0.9, 0.999, 1e-8, 0.01);
        assertArrayEquals(new double[] {0.003, 17}, seen);
        assertEquals(List.of(ptr(p), ptr(g), ptr(m), ptr(v), 10), dev.launches.getLast().values().subList(0, 5));
        cuda.sgdStep(p, g, m, 0.1, 0.9, 0, true, true);
        assertArrayEquals(new double[] {0.1, 1}, seen);
        cuda.sgdStep(p, g, null, 0.1, 0, 0, false, false);
        assertArrayEquals(new double[] {0.1, 2}, seen);
        assertEquals(0L, dev.launches.getLast().values().get(2), "no momentum buffer");
        assertThrows(IllegalArgumentException.class, () -> cuda.sgdStep(p, g, null, 0.1, 0.9, 0, false, false));
        closeAll();
    }

    @Test
    void crossEntropyChecksLabelsThroughTheDeviceCounts() {
        Tensor logits = on(cuda, DType.F32, 2, 3, 4, 5), labels = on(cuda, DType.I32, 2, 4, 5), loss = on(cuda, DType.F32, 1);
        int[] bad = {0};
        dev.hook = l -> {
            if (l.entry().equals("cross_entropy_fwd_final_f32")) {
                long counts = (Long) l.values().get(1);
                HostDevice.mem(counts, 8).set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 40);
                HostDevice.mem(counts, 8).set(java.lang.foreign.ValueLayout.JAVA_INT, 4, bad[0]);
            }
        };
        cuda.crossEntropy(logits, labels, 255, loss);
        assertEquals(List.of("cross_entropy_fwd_partial_f32", "cross_entropy_fwd_final_f32"),
                dev.launches.stream().map(HostDevice.Launch::entry).toList());
        assertEquals(ptr(loss), dev.launches.getLast().values().get(0));
        bad[0] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.crossEntropy(logits, labels, 255, loss));
        assertTrue(e.getMessage().contains("2 labels outside [0, 3)"), e.getMessage());
        dev.launches.clear();
        Tensor scale = on(cuda, DType.F32, 1), gx = on(cuda, DType.F32, 2, 3, 4, 5);
        cuda.crossEntropyBackward(logits, labels, 255, scale, gx);
        assertEquals(List.of("cross_entropy_fwd_partial_f32", "cross_entropy_fwd_final_f32", "cross_entropy_bwd_f32"),
                dev.launches.stream().map(HostDevice.Launch::entry).toList());
        assertEquals(dev.launches.get(1).values().get(1), dev.launches.get(2).values().get(4), "backward reads the forward's counts");
        assertThrows(IllegalArgumentException.class, () -> cuda.crossEntropy(logits, on(cuda, DType.I32, 2, 5, 4), 255, loss));
        closeAll();
    }

    @Test
    void weightedSumPassesPointersAndMask() {
        Tensor x0 = on(cuda, DType.F32, 6), x1 = on(cuda, DType.F32, 6), w = on(cuda, DType.F32, 2), out = on(cuda, DType.F32, 6);
        Tensor g1 = on(cuda, DType.F32, 6), gw = on(cuda, DType.F32, 2);
        cuda.weightedSum(new Tensor[] {x0, x1}, w, out);
        assertEquals(List.of(ptr(out), ptr(x0), ptr(x1)), dev.launches.getLast().values().subList(0, 3));
        dev.launches.clear();
        cuda.weightedSumBackward(new Tensor[] {x0, x1}, w, out, new Tensor[] {null, g1}, gw);
        assertEquals(List.of("weighted_sum_bwd_gx_f32", "weighted_sum_bwd_gw_partial_f32", "weighted_sum_bwd_gw_final_f32"),
                dev.launches.stream().map(HostDevice.Launch::entry).toList());
        assertEquals(0b10, dev.launches.getFirst().values().get(11));
        dev.launches.clear();
        cuda.weightedSumBackward(new Tensor[] {x0, x1}, w, out, new Tensor[] {null, null}, gw);
        assertEquals(2, dev.launches.size(), "no gx launch when no gx is wanted");
        closeAll();
    }

    @Test
    void softmaxAndResizeGeometry() {
        Tensor x = on(cuda, DType.F32, 2, 3, 4, 5), y = on(cuda, DType.F32, 2, 3, 4, 5);
        cuda.softmax(x, 1, false, y);
        assertEquals(List.of(2, 3, 20, 0), dev.launches.getLast().values().subList(2, 6));
        cuda.softmax(x, -1, true, y);
        assertEquals(List.of(24, 5, 1, 1), dev.launches.getLast().values().subList(2, 6));
        Tensor big = on(cuda, DType.F32, 2, 3, 7, 9);
        cuda.resizeBilinear(x, true, big);
        assertEquals(List.of(6, 4, 5, 7, 9, 1), dev.launches.getLast().values().subList(2, 8));
        cuda.resizeBilinearBackward(big, false, x);
        assertEquals("resize_bilinear_bwd_f32", dev.launches.getLast().entry());
        assertEquals(List.of(6, 4, 5, 7, 9, 0), dev.launches.getLast().values().subList(2, 8));
        closeAll();
    }

    @Test
    void float64ArithmeticAndLibraryOpsSayTheyAreNotOnCudaYet() {
        Tensor d = on(cuda, DType.F64, 4), f = on(cuda, DType.F32, 2, 2);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> cuda.unary(UnaryOp.NEG, d, 0, d));
        assertTrue(e.getMessage().startsWith("not yet on CUDA: unary NEG on F64"), e.getMessage());
        LibraryUnavailableException m = assertThrows(LibraryUnavailableException.class, () -> cuda.maxPoolForward(f, null, f));
        assertEquals("maxPoolForward needs cuDNN, which is not available: this backend was opened without cuDNN", m.getMessage());
        cuda.missingLibraries("libcublas.so.13 not found", "cuDNN 9.1.0 was built for CUDA 12.8, cuBLAS is 13.0.0");
        CudaBackend noBlas = new CudaBackend(0, new CachingAllocator(dev), new CudaKernels(dev), dev, 0x5eL, null, null);
        noBlas.missingLibraries("libcublas.so.13 not found", null);
        Tensor g = on(noBlas, DType.F32, 2, 2);
        m = assertThrows(LibraryUnavailableException.class, () -> noBlas.matmul(g, false, g, false, g));
        assertEquals("cuBLAS", m.library());
        assertEquals("matmul needs cuBLAS, which is not available: libcublas.so.13 not found", m.getMessage());
        m = assertThrows(LibraryUnavailableException.class, () -> cuda.avgPoolForward(f, null, f));
        assertEquals("cuDNN 9.1.0 was built for CUDA 12.8, cuBLAS is 13.0.0", m.reason());
        closeAll();
    }

    @Test
    void matmulMapsRowMajorOntoColumnMajorGemmForEveryTranspose() {
        int b = 2, m = 3, k = 5, n = 4;
        for (int rank = 2; rank <= 3; rank++) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int[] ad = ta ? new int[] {k, m} : new int[] {m, k}, bd = tb ? new int[] {n, k} : new int[] {k, n}, cd = {m, n};
                if (rank == 3) { ad = new int[] {b, ad[0], ad[1]}; bd = new int[] {b, bd[0], bd[1]}; cd = new int[] {b, m, n}; }
                Tensor ga = on(cuda, DType.F32, ad), gb = on(cuda, DType.F32, bd), gc = on(cuda, DType.F32, cd);
                Tensor ha = cpu(DType.F32, ad), hb = cpu(DType.F32, bd), hc = cpu(DType.F32, cd);
                double[] av = random((int) ga.numel(), 10 + t), bv = random((int) gb.numel(), 20 + t);
                cuda.write(ga, av); cuda.write(gb, bv);
                CpuBackend.INSTANCE.write(ha, av); CpuBackend.INSTANCE.write(hb, bv);
                cuda.matmul(ga, ta, gb, tb, gc);
                CpuBackend.INSTANCE.matmul(ha, ta, hb, tb, hc);
                double[] want = CpuBackend.INSTANCE.read(hc), got = cuda.read(gc);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-3 * (1 + Math.abs(want[i])), "rank " + rank + " transA " + ta + " transB " + tb + " at " + i);
                }
            }
        }
        assertEquals(8, dev.gemmCalls);
        Tensor a = on(cuda, DType.F32, 3, 0), bb = on(cuda, DType.F32, 0, 2), c = on(cuda, DType.F32, 3, 2);
        cuda.write(c, new double[] {1, 2, 3, 4, 5, 6});
        cuda.matmul(a, false, bb, false, c);
        assertArrayEquals(new double[6], cuda.read(c), "K = 0 gives zeros");
        assertThrows(IllegalArgumentException.class, () -> cuda.matmul(on(cuda, DType.F32, 3, 4), false, on(cuda, DType.F32, 5, 2), false, c));
        closeAll();
    }
}
