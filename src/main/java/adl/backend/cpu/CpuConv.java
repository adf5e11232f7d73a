package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.cpu.CpuIm2col.Geom;
import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * 2-D convolution forward and backward, PyTorch conv2d semantics (cross-correlation, zero
 * padding, dilation, groups; no bias). F64: the direct-loop reference {@link CpuConvRef}. F32:
 * depthwise convolutions (one input channel per group) by direct loops ({@link CpuDepthwise}),
 * pointwise ones (1x1, one group) by a GEMM on x itself ({@link CpuPointwise}), everything else
 * by im2col on blocks of output pixels + {@link CpuGemm}. Work is split into tasks by the shape
 * only; the filter gradient's sum over the batch is combined in batch order.
 */
final class CpuConv {
    private CpuConv() {}

    /** y = conv2d(x, w). x: [N, Cin, H, W], w: [Cout, Cin/groups, kh, kw], y: [N, Cout, Ho, Wo]. */
    static void forward(Tensor x, Tensor w, ConvParams p, Tensor y) {
        Geom g = check("conv2dForward", x, w, p, y);
        int N = x.dim(0), Cin = x.dim(1), Cout = w.dim(0), G = p.groups();
        if (x.dtype() == DType.F64) {
            CpuConvRef.forward(CpuStorage.f64(x), (int) x.offset(), CpuStorage.f64(w), (int) w.offset(),
                    CpuStorage.f64(y), (int) y.offset(), N, Cin, Cout, g);
            return;
        }
        float[] xa = CpuStorage.f32(x), wa = CpuStorage.f32(w), ya = CpuStorage.f32(y);
        int xo = (int) x.offset(), wo = (int) w.offset(), yo = (int) y.offset();
        if (isDepthwise(Cin, Cout, G)) {
            CpuDepthwise.forward(xa, xo, wa, wo, ya, yo, N, Cin, Cout, g);
            return;
        }
        if (G == 1 && isPointwise(g)) {
            CpuPointwise.forward(xa, xo, wa, wo, ya, yo, N, Cin, Cout, g.outPlane());
            return;
        }
        int cinG = Cin / G, coutG = Cout / G, K = cinG * g.taps(), P = g.outPlane(), HW = g.inPlane();
        int pb = blockCols(K, P), pBlocks = ceilDiv(P, pb);
        forEach(N * G * pBlocks, 2L * coutG * K * pb, t -> {
            int pi = t % pBlocks, gi = (t / pBlocks) % G, n = t / pBlocks / G;
            int p0 = pi * pb, len = Math.min(pb, P - p0);
            CpuGemm.Scratch s = CpuGemm.scratch();
            float[][] col = s.panel(K, len);
            CpuIm2col.im2col(xa, xo + (n * Cin + gi * cinG) * HW, cinG, g, p0, len, col);
            CpuGemm.gemm(coutG, len, K, wa, wo + gi * coutG * K, K, 1, col,
                    ya, yo + (n * Cout + gi * coutG) * P + p0, P, false, s);
        });
    }

    /** gx = dL/dx. gy: [N, Cout, Ho, Wo], w: [Cout, Cin/groups, kh, kw], gx: [N, Cin, H, W]. */
    static void backwardData(Tensor gy, Tensor w, ConvParams p, Tensor gx) {
        Geom g = check("conv2dBackwardData", gx, w, p, gy);
        int N = gx.dim(0), Cin = gx.dim(1), Cout = w.dim(0), G = p.groups();
        if (gx.dtype() == DType.F64) {
            CpuConvRef.backwardData(CpuStorage.f64(gy), (int) gy.offset(), CpuStorage.f64(w), (int) w.offset(),
                    CpuStorage.f64(gx), (int) gx.offset(), N, Cin, Cout, g);
            return;
        }
        float[] gya = CpuStorage.f32(gy), wa = CpuStorage.f32(w), gxa = CpuStorage.f32(gx);
        int gyo = (int) gy.offset(), wo = (int) w.offset(), gxo = (int) gx.offset();
        if (isDepthwise(Cin, Cout, G)) {
            CpuDepthwise.backwardData(gya, gyo, wa, wo, gxa, gxo, N, Cin, Cout, g);
            return;
        }
        if (G == 1 && isPointwise(g) && CpuPointwise.backwardDataSmall(gya, gyo, wa, wo, gxa, gxo, N, Cin, Cout, g.outPlane())) return;
        int cinG = Cin / G, coutG = Cout / G, taps = g.taps(), K = cinG * taps, P = g.outPlane(), HW = g.inPlane();
        boolean direct = isPointwise(g);
        int cib = ceilDiv(cinG, Math.min(cinG, ceilDiv(4, N * G))), ciBlocks = ceilDiv(cinG, cib);
        int pb = blockCols(Math.max(coutG, cib * taps), P), pBlocks = ceilDiv(P, pb);
        forEach(N * G * ciBlocks, 2L * coutG * cib * taps * P, t -> {
            int cb = t % ciBlocks, gi = (t / ciBlocks) % G, n = t / ciBlocks / G;
            int ci0 = cb * cib, cc = Math.min(cib, cinG - ci0), M = cc * taps;
            int gxOff = gxo + (n * Cin + gi * cinG + ci0) * HW;
            int aOff = wo + gi * coutG * K + ci0 * taps;
            CpuGemm.Scratch s = CpuGemm.scratch();
            if (!direct) java.util.Arrays.fill(gxa, gxOff, gxOff + cc * HW, 0f);
            for (int pi = 0; pi < pBlocks; pi++) {
                int p0 = pi * pb, len = Math.min(pb, P - p0);
                float[][] panel = CpuGemm.pack(gya, gyo + (n * Cout + gi * coutG) * P, P, false, 0, coutG, p0, len, s);
                if (direct) {
                    CpuGemm.gemm(M, len, coutG, wa, aOff, 1, K, panel, gxa, gxOff + p0, HW, false, s);
                } else {
                    float[] colGrad = s.flat(M * len);
                    CpuGemm.gemm(M, len, coutG, wa, aOff, 1, K, panel, colGrad, 0, len, false, s);
                    CpuIm2col.col2im(colGrad, len, cc, g, p0, len, gxa, gxOff);
                }
            }
        });
    }

    /** gw = dL/dw. x: [N, Cin, H, W], gy: [N, Cout, Ho, Wo], gw: [Cout, Cin/groups, kh, kw]. */
    static void backwardFilter(Tensor x, Tensor gy, ConvParams p, Tensor gw) {
        Geom g = check("conv2dBackwardFilter", x, gw, p, gy);
        int N = x.dim(0), Cin = x.dim(1), Cout = gw.dim(0), G = p.groups();
        if (x.dtype() == DType.F64) {
            CpuConvRef.backwardFilter(CpuStorage.f64(x), (int) x.offset(), CpuStorage.f64(gy), (int) gy.offset(),
                    CpuStorage.f64(gw), (int) gw.offset(), N, Cin, Cout, g);
            return;
        }
        float[] xa = CpuStorage.f32(x), gya = CpuStorage.f32(gy), gwa = CpuStorage.f32(gw);
        int xo = (int) x.offset(), gyo = (int) gy.offset(), gwo = (int) gw.offset();
        if (isDepthwise(Cin, Cout, G)) {
            CpuDepthwise.backwardFilter(xa, xo, gya, gyo, gwa, gwo, N, Cin, Cout, g);
            return;
        }
        int cinG = Cin / G, coutG = Cout / G, taps = g.taps(), K = cinG * taps, P = g.outPlane(), HW = g.inPlane();
        int gwSize = Cout * K;
        int chunks = Math.min(N, 4);
        int cib = ceilDiv(cinG, Math.max(1, Math.min(cinG, K / 256))), ciBlocks = ceilDiv(cinG, cib);
        int pb = blockCols(cib * taps, P), pBlocks = ceilDiv(P, pb);
        float[] part = chunks > 1 ? CpuArrayPool.takeFloats((chunks - 1) * gwSize) : null;
        try {
            forEach(chunks * G * ciBlocks, 2L * coutG * cib * taps * P * ceilDiv(N, chunks), t -> {
                int cb = t % ciBlocks, gi = (t / ciBlocks) % G, c = t / ciBlocks / G;
                int ci0 = cb * cib, cc = Math.min(cib, cinG - ci0), cols = cc * taps;
                float[] dst = c == 0 ? gwa : part;
                int cOff = (c == 0 ? gwo : (c - 1) * gwSize) + gi * coutG * K + ci0 * taps;
                for (int co = 0; co < coutG; co++) java.util.Arrays.fill(dst, cOff + co * K, cOff + co * K + cols, 0f);
                CpuGemm.Scratch s = CpuGemm.scratch();
                for (int n = c * N / chunks, nEnd = (c + 1) * N / chunks; n < nEnd; n++) {
                    for (int pi = 0; pi < pBlocks; pi++) {
                        int p0 = pi * pb, len = Math.min(pb, P - p0);
                        float[][] colT = s.panel(len, cols);
                        CpuIm2col.im2colT(xa, xo + (n * Cin + gi * cinG + ci0) * HW, cc, g, p0, len, colT);
                        CpuGemm.gemm(coutG, cols, len, gya, gyo + (n * Cout + gi * coutG) * P + p0, P, 1, colT,
                                dst, cOff, K, true, s);
                    }
                }
            });
            for (int c = 1; c < chunks; c++) {
                int base = (c - 1) * gwSize;
                for (int i = 0; i < gwSize; i++) gwa[gwo + i] += part[base + i];
            }
        } finally {
            if (part != null) CpuArrayPool.give(part);
        }
    }

    /** Below this many flops in a call, the fork-join round trip costs more than threads save. */
    static final long SERIAL_WORK = 1L << 14;

    /** {@link Parallel#forEach} for calls big enough to gain from threads; the same tasks run in order otherwise. */
    static void forEach(int n, long workPerTask, java.util.function.IntConsumer task) {
        if ((long) n * workPerTask < SERIAL_WORK) {
            for (int i = 0; i < n; i++) task.accept(i);
        } else {
            Parallel.forEach(n, workPerTask, task);
        }
    }

    /** One input channel per group and few outputs per group: direct loops beat a tiny GEMM. */
    static boolean isDepthwise(int cin, int cout, int groups) {
        return groups > 1 && groups == cin && cout / groups <= 4;
    }

    /** 1x1, stride 1, no padding: the column matrix is x itself. */
    static boolean isPointwise(Geom g) {
        ConvParams p = g.p();
        return g.kh() == 1 && g.kw() == 1 && p.strideH() == 1 && p.strideW() == 1 && p.padH() == 0 && p.padW() == 0;
    }

    /** Output pixels per GEMM block: the column panel (rows x block) stays within ~256 KB of L2. */
    static int blockCols(int rows, int pixels) {
        int c = Math.max(64, Math.min(CpuGemm.NB, (65536 / Math.max(1, rows)) & ~7));
        return Math.min(pixels, c);
    }

    static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    /** Validates the shapes of one call; returns its geometry. */
    private static Geom check(String op, Tensor x, Tensor w, ConvParams p, Tensor y) {
        for (Tensor t : new Tensor[] {x, w, y}) CpuCopy.requireContiguous(t, op);
        if (x.rank() != 4 || w.rank() != 4 || y.rank() != 4) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + ", w " + w.shape() + ", y " + y.shape() + " must all be 4-D");
        }
        if (x.dtype() != w.dtype() || x.dtype() != y.dtype() || (x.dtype() != DType.F32 && x.dtype() != DType.F64)) {
            throw new IllegalArgumentException(op + ": dtypes x " + x.dtype() + ", w " + w.dtype() + ", y " + y.dtype() + " must be one of F32/F64");
        }
        int G = p.groups(), Cin = x.dim(1), Cout = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int H = x.dim(2), W = x.dim(3), Ho = p.outH(H, kh), Wo = p.outW(W, kw);
        if (Cin % G != 0 || Cout % G != 0 || w.dim(1) != Cin / G || y.dim(0) != x.dim(0) || y.dim(1) != Cout
                || Ho < 1 || Wo < 1 || y.dim(2) != Ho || y.dim(3) != Wo) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + ", w " + w.shape() + ", y " + y.shape()
                    + " do not match " + p + " (expected y [" + x.dim(0) + ", " + Cout + ", " + Ho + ", " + Wo + "])");
        }
        if ((long) x.numel() > Integer.MAX_VALUE || (long) y.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": tensors over 2^31 elements are not supported: x " + x.shape() + ", y " + y.shape());
        }
        ConvFlops.add(ConvFlops.of(x.dim(0), Cout, Ho * Wo, Cin / G, kh * kw));
        return new Geom(H, W, kh, kw, Ho, Wo, p);
    }
}
