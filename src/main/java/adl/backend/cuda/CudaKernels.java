package adl.backend.cuda;

import adl.backend.BinaryOp;
import adl.backend.UnaryOp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * Typed launchers for the hand-written kernels (native-kernels/README.md is the contract: entry
 * points, parameter order, launch rules). Every argument that names memory is a device pointer that
 * already includes the tensor's element offset; sizes and strides are in elements; {@code stream} is a
 * CUstream address (0 = the legacy default stream).
 *
 * <p>Grids: grid-stride kernels get {@code max(1, ceil(work / 256))} blocks; the first stage of a
 * two-stage reduction gets {@link #reductionGrid(long)} blocks, a function of the problem size only, so
 * the partials (and the result bits) never depend on the device. Block size is always {@link #BLOCK}.
 * Launches go through a {@link Launcher}; {@link CudaModules} is the one that calls the driver.
 */
public final class CudaKernels {
    /** Threads per block of every kernel (the reductions' shared-memory trees require exactly this). */
    public static final int BLOCK = 256;
    /** Elements per first-stage reduction block before the grid grows, and the grid's cap. */
    public static final int REDUCTION_CHUNK = 8192, REDUCTION_MAX_GRID = 256;
    /** Inputs a weighted-sum kernel takes at most. */
    public static final int MAX_K = 8;

    /** Entry point -> the PTX file (kernels-ptx/&lt;file&gt;.ptx) that declares it. */
    public static final Map<String, String> ENTRY_FILE = Map.ofEntries(
            Map.entry("weighted_sum_fwd_f32", "weighted_sum"),
            Map.entry("weighted_sum_bwd_gx_f32", "weighted_sum"),
            Map.entry("weighted_sum_bwd_gw_partial_f32", "weighted_sum"),
            Map.entry("weighted_sum_bwd_gw_final_f32", "weighted_sum"),
            Map.entry("softmax_fwd_f32", "softmax"),
            Map.entry("softmax_bwd_f32", "softmax"),
            Map.entry("cross_entropy_fwd_partial_f32", "cross_entropy"),
            Map.entry("cross_entropy_fwd_final_f32", "cross_entropy"),
            Map.entry("cross_entropy_bwd_f32", "cross_entropy"),
            Map.entry("resize_bilinear_fwd_f32", "resize"),
            Map.entry("resize_bilinear_bwd_f32", "resize"),
            Map.entry("unary_f32", "elementwise"),
            Map.entry("binary_f32", "elementwise"),
            Map.entry("fill_f32", "elementwise"),
            Map.entry("fill_i32", "elementwise"),
            Map.entry("copy_strided_f32", "elementwise"),
            Map.entry("copy_strided_i32", "elementwise"),
            Map.entry("sum_to_f32", "elementwise"),
            Map.entry("sgd_f32", "optim"),
            Map.entry("adam_f32", "optim"));

    /** Launches one kernel on a 1-D grid; the args are valid only during the call. */
    @FunctionalInterface
    public interface Launcher {
        void launch(String entry, int gridX, int blockX, KernelArgs args, long stream);
    }

    private final Launcher launcher;

    public CudaKernels(Launcher launcher) { this.launcher = launcher; }

    // ---- launch rules -------------------------------------------------------------------------

    /** Grid of a grid-stride kernel over {@code work} items: {@code max(1, ceil(work / 256))}. */
    public static int strideGrid(long work) {
        if (work < 0) throw new IllegalArgumentException("negative work " + work);
        long g = (work + BLOCK - 1) / BLOCK;
        if (g > Integer.MAX_VALUE) throw new IllegalArgumentException("grid for " + work + " items exceeds 2^31-1 blocks");
        return (int) Math.max(1, g);
    }

    /** First-stage grid of a two-stage reduction over {@code n} items: {@code clamp(ceil(n / 8192), 1, 256)}. */
    public static int reductionGrid(long n) {
        if (n < 0) throw new IllegalArgumentException("negative reduction size " + n);
        long g = (n + REDUCTION_CHUNK - 1) / REDUCTION_CHUNK;
        return (int) Math.min(REDUCTION_MAX_GRID, Math.max(1, g));
    }

    /** Doubles of the weighted-sum gw partials buffer: {@code [K, reductionGrid(n)]}. */
    public static long weightedSumPartials(int k, long n) { return (long) k * reductionGrid(n); }

    /** Doubles of the cross-entropy partials buffer: {@code [3, reductionGrid(N·HW)]}. */
    public static long crossEntropyPartials(long pixels) { return 3L * reductionGrid(pixels); }

    /** Launches {@code entry}; a failed launch names the kernel and its arguments (sizes as numbers, pointers in hex). */
    private void run(String entry, int grid, KernelArgs args, long stream) {
        try {
            launcher.launch(entry, grid, BLOCK, args, stream);
        } catch (CudaException e) {
            throw e.withContext("kernel " + entry + describe(args));
        } finally {
            args.close();
        }
    }

    /** "(p 0x7f00, i 210, f 0.7)": each argument by its class and value. */
    static String describe(KernelArgs args) {
        StringBuilder sb = new StringBuilder("(");
        String kinds = args.kinds();
        for (int i = 0; i < kinds.length(); i++) {
            if (i > 0) sb.append(", ");
            MemorySegment v = args.value(i);
            char k = kinds.charAt(i);
            sb.append(k).append(' ').append(switch (k) {
                case 'p' -> "0x" + Long.toHexString(v.get(ValueLayout.JAVA_LONG, 0));
                case 'l' -> Long.toString(v.get(ValueLayout.JAVA_LONG, 0));
                case 'i' -> Integer.toString(v.get(ValueLayout.JAVA_INT, 0));
                case 'f' -> Float.toString(v.get(ValueLayout.JAVA_FLOAT, 0));
                case 'd' -> Double.toString(v.get(ValueLayout.JAVA_DOUBLE, 0));
                default -> "?";
            });
        }
        return sb.append(')').toString();
    }

    private static KernelArgs pointers(KernelArgs a, long[] ptrs, int k, String what) {
        if (ptrs.length != k) throw new IllegalArgumentException(what + ": " + ptrs.length + " pointers for K=" + k);
        for (int i = 0; i < MAX_K; i++) a.ptr(i < k ? ptrs[i] : 0L);
        return a;
    }

    private static int checkK(int k, String what) {
        if (k < 1 || k > MAX_K) throw new IllegalArgumentException(what + ": K=" + k + " outside [1, " + MAX_K + "]");
        return k;
    }

    private static int[] four(int[] v, String what) {
        if (v.length != 4) throw new IllegalArgumentException(what + " must have 4 entries (pad with leading 1s/0s), got " + v.length);
        return v;
    }

    private static int volume(int[] d, String what) {
        long n = (long) d[0] * d[1] * d[2] * d[3];
        if (n > Integer.MAX_VALUE || n < 0) throw new IllegalArgumentException(what + " " + java.util.Arrays.toString(d) + " has more than 2^31-1 elements");
        return (int) n;
    }

    // ---- weighted_sum.cu ----------------------------------------------------------------------

    /** out[i] = Σ_k w[k]·xs[k][i], i < n; K = xs.length ≤ 8; out must not alias an xs[k]. */
    public void weightedSumForward(long out, long[] xs, long w, int n, long stream) {
        int k = checkK(xs.length, "weightedSumForward");
        KernelArgs a = KernelArgs.of().ptr(out);
        pointers(a, xs, k, "weightedSumForward xs").ptr(w).i32(k).i32(n);
        run("weighted_sum_fwd_f32", strideGrid((n + 3L) / 4), a, stream);
    }

    /** gxs[k][i] = w[k]·gy[i] for every k whose gxs[k] is not 0 (the mask); K = gxs.length. */
    public void weightedSumBackwardGx(long[] gxs, long gy, long w, int n, long stream) {
        int k = checkK(gxs.length, "weightedSumBackwardGx");
        int mask = 0;
        for (int i = 0; i < k; i++) if (gxs[i] != 0) mask |= 1 << i;
        KernelArgs a = pointers(KernelArgs.of(), gxs, k, "weightedSumBackwardGx gxs").ptr(gy).ptr(w).i32(k).i32(mask).i32(n);
        run("weighted_sum_bwd_gx_f32", strideGrid(n), a, stream);
    }

    /**
     * gw[k] = Σ_i gy[i]·xs[k][i] in two stages; {@code partials} holds {@link #weightedSumPartials}
     * doubles of device scratch.
     */
    public void weightedSumBackwardGw(long gw, long partials, long gy, long[] xs, int n, long stream) {
        int k = checkK(xs.length, "weightedSumBackwardGw");
        int grid = reductionGrid(n);
        KernelArgs a = KernelArgs.of().ptr(partials).ptr(gy);
        pointers(a, xs, k, "weightedSumBackwardGw xs").i32(k).i32(n);
        run("weighted_sum_bwd_gw_partial_f32", grid, a, stream);
        run("weighted_sum_bwd_gw_final_f32", k, KernelArgs.of().ptr(gw).ptr(partials).i32(grid), stream);
    }

    // ---- softmax.cu ---------------------------------------------------------------------------

    /** x, y: [outer, len, inner]; softmax (or log-softmax) over len. */
    public void softmaxForward(long x, long y, int outer, int len, int inner, boolean log, long stream) {
        run("softmax_fwd_f32", strideGrid((long) outer * inner),
                KernelArgs.of().ptr(x).ptr(y).i32(outer).i32(len).i32(inner).i32(log ? 1 : 0), stream);
    }

    /** y, gy, gx: [outer, len, inner]. */
    public void softmaxBackward(long y, long gy, long gx, int outer, int len, int inner, boolean log, long stream) {
        run("softmax_bwd_f32", strideGrid((long) outer * inner),
                KernelArgs.of().ptr(y).ptr(gy).ptr(gx).i32(outer).i32(len).i32(inner).i32(log ? 1 : 0), stream);
    }

    // ---- cross_entropy.cu ---------------------------------------------------------------------

    /**
     * logits: [N, C, HW], labels: int [N, HW]; loss: float [1] (mean over non-ignored pixels),
     * counts: int [2] (valid pixels, out-of-range labels); partials: {@link #crossEntropyPartials} doubles.
     */
    public void crossEntropyForward(long loss, long counts, long partials, long logits, long labels,
                                    int n, int c, int hw, int ignoreIndex, long stream) {
        int grid = reductionGrid((long) n * hw);
        run("cross_entropy_fwd_partial_f32", grid,
                KernelArgs.of().ptr(partials).ptr(logits).ptr(labels).i32(n).i32(c).i32(hw).i32(ignoreIndex), stream);
        run("cross_entropy_fwd_final_f32", 1, KernelArgs.of().ptr(loss).ptr(counts).ptr(partials).i32(grid), stream);
    }

    /** gx: [N, C, HW] = scale[0]·(softmax − onehot)/counts[0] at valid pixels, 0 elsewhere. */
    public void crossEntropyBackward(long gx, long logits, long labels, long scale, long counts,
                                     int n, int c, int hw, int ignoreIndex, long stream) {
        run("cross_entropy_bwd_f32", strideGrid((long) n * hw),
                KernelArgs.of().ptr(gx).ptr(logits).ptr(labels).ptr(scale).ptr(counts)
                        .i32(n).i32(c).i32(hw).i32(ignoreIndex), stream);
    }

    // ---- resize.cu ----------------------------------------------------------------------------

    /** x: [planes, H, W] -> y: [planes, Ho, Wo], bilinear. */
    public void resizeBilinearForward(long x, long y, int planes, int h, int w, int ho, int wo, boolean alignCorners, long stream) {
        run("resize_bilinear_fwd_f32", strideGrid((long) planes * ho * wo),
                KernelArgs.of().ptr(x).ptr(y).i32(planes).i32(h).i32(w).i32(ho).i32(wo).i32(alignCorners ? 1 : 0), stream);
    }

    /** gy: [planes, Ho, Wo] -> gx: [planes, H, W] (gather; overwrites gx). */
    public void resizeBilinearBackward(long gy, long gx, int planes, int h, int w, int ho, int wo, boolean alignCorners, long stream) {
        run("resize_bilinear_bwd_f32", strideGrid((long) planes * h * w),
                KernelArgs.of().ptr(gy).ptr(gx).i32(planes).i32(h).i32(w).i32(ho).i32(wo).i32(alignCorners ? 1 : 0), stream);
    }

    // ---- elementwise.cu -----------------------------------------------------------------------

    /** y[i] = op(x[i], s), i < n; x, y contiguous. */
    public void unary(UnaryOp op, long x, float s, long y, int n, long stream) {
        run("unary_f32", strideGrid(n), KernelArgs.of().ptr(x).ptr(y).i32(n).i32(op.ordinal()).f32(s), stream);
    }

    /** z: contiguous [d0, d1, d2, d3] = op(a, b) with a, b read through their 4-D strides (0 = broadcast). */
    public void binary(BinaryOp op, long a, int[] aStrides, long b, int[] bStrides, long z, int[] dims, long stream) {
        four(dims, "binary dims"); four(aStrides, "binary a strides"); four(bStrides, "binary b strides");
        int n = volume(dims, "binary dims");
        run("binary_f32", strideGrid(n), KernelArgs.of().ptr(a).ptr(b).ptr(z).i32(op.ordinal()).i32(n)
                .i32(dims[1]).i32(dims[2]).i32(dims[3])
                .i32(aStrides[0]).i32(aStrides[1]).i32(aStrides[2]).i32(aStrides[3])
                .i32(bStrides[0]).i32(bStrides[1]).i32(bStrides[2]).i32(bStrides[3]), stream);
    }

    public void fillF32(long y, int n, float v, long stream) {
        run("fill_f32", strideGrid(n), KernelArgs.of().ptr(y).i32(n).f32(v), stream);
    }

    public void fillI32(long y, int n, int v, long stream) {
        run("fill_i32", strideGrid(n), KernelArgs.of().ptr(y).i32(n).i32(v), stream);
    }

    /** dst[idx·dstStrides] = src[idx·srcStrides] over the 4-D index space {@code dims}. */
    public void copyStridedF32(long src, int[] srcStrides, long dst, int[] dstStrides, int[] dims, long stream) {
        copyStrided("copy_strided_f32", src, srcStrides, dst, dstStrides, dims, stream);
    }

    public void copyStridedI32(long src, int[] srcStrides, long dst, int[] dstStrides, int[] dims, long stream) {
        copyStrided("copy_strided_i32", src, srcStrides, dst, dstStrides, dims, stream);
    }

    private void copyStrided(String entry, long src, int[] ss, long dst, int[] ds, int[] dims, long stream) {
        four(dims, entry + " dims"); four(ss, entry + " src strides"); four(ds, entry + " dst strides");
        int n = volume(dims, entry + " dims");
        run(entry, strideGrid(n), KernelArgs.of().ptr(src).ptr(dst).i32(n).i32(dims[1]).i32(dims[2]).i32(dims[3])
                .i32(ss[0]).i32(ss[1]).i32(ss[2]).i32(ss[3]).i32(ds[0]).i32(ds[1]).i32(ds[2]).i32(ds[3]), stream);
    }

    /** y: contiguous [yd0..yd3], yd_k ∈ {1, xd_k}, = x summed over the dims where yd_k = 1 &lt; xd_k. */
    public void sumTo(long x, int[] xDims, int[] xStrides, long y, int[] yDims, long stream) {
        four(xDims, "sumTo x dims"); four(xStrides, "sumTo x strides"); four(yDims, "sumTo y dims");
        for (int k = 0; k < 4; k++) {
            if (yDims[k] != 1 && yDims[k] != xDims[k]) {
                throw new IllegalArgumentException("sumTo: y dims " + java.util.Arrays.toString(yDims)
                        + " not reducible from x dims " + java.util.Arrays.toString(xDims));
            }
        }
        int ny = volume(yDims, "sumTo y dims");
        volume(xDims, "sumTo x dims");
        run("sum_to_f32", strideGrid(ny), KernelArgs.of().ptr(x).ptr(y).i32(ny)
                .i32(xDims[0]).i32(xDims[1]).i32(xDims[2]).i32(xDims[3])
                .i32(xStrides[0]).i32(xStrides[1]).i32(xStrides[2]).i32(xStrides[3])
                .i32(yDims[0]).i32(yDims[1]).i32(yDims[2]).i32(yDims[3]), stream);
    }

    // ---- optim.cu -----------------------------------------------------------------------------

    /** SGD (PyTorch semantics, CpuOptim.sgd); lr: device double[1], step: device long long[1]; buf may be 0 iff momentum == 0. */
    public void sgd(long p, long grad, long buf, int n, long lr, long step, float momentum, float weightDecay,
                    boolean nesterov, long stream) {
        if (buf == 0 && momentum != 0f) throw new IllegalArgumentException("sgd: momentum " + momentum + " needs a momentum buffer");
        run("sgd_f32", strideGrid(n), KernelArgs.of().ptr(p).ptr(grad).ptr(buf).i32(n).ptr(lr).ptr(step)
                .f32(momentum).f32(weightDecay).i32(nesterov ? 1 : 0), stream);
    }

    /** Adam (PyTorch semantics, CpuOptim.adam); lr: device double[1], step: device long long[1] ≥ 1. */
    public void adam(long p, long grad, long m, long v, int n, long lr, long step, double beta1, double beta2,
                     double eps, double weightDecay, long stream) {
        run("adam_f32", strideGrid(n), KernelArgs.of().ptr(p).ptr(grad).ptr(m).ptr(v).i32(n).ptr(lr).ptr(step)
                .f64(beta1).f64(beta2).f64(eps).f64(weightDecay), stream);
    }
}
