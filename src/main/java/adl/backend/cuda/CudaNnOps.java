package adl.backend.cuda;

import adl.backend.GraphCaptureException;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static adl.backend.cuda.CudaOps.contiguous;
import static adl.backend.cuda.CudaOps.f32;
import static adl.backend.cuda.CudaOps.n;
import static adl.backend.cuda.CudaStorage.ptr;

/**
 * Resize, softmax, cross-entropy, weighted sum and optimizer steps of {@link CudaBackend}: shape
 * checks, scratch buffers (reduction partials, device scalars) and the kernel calls. Scratch is
 * released right after the launches: its block is reused only by later work on the same stream.
 */
final class CudaNnOps {
    private final CudaBackend b;
    private final CudaKernels k;

    CudaNnOps(CudaBackend backend) {
        this.b = backend;
        this.k = backend.kernels;
    }

    private static void sameShape(String op, Tensor ref, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && !t.shape().equals(ref.shape())) {
                throw new IllegalArgumentException(op + ": " + t.describe() + " must have the shape of " + ref.describe());
            }
        }
    }

    private static void nchw(String op, Tensor t) {
        if (t.rank() != 4) throw new IllegalArgumentException(op + ": " + t.describe() + " must be [N, C, H, W]");
    }

    /** Forward: x [N, C, H, W] -> y [N, C, Ho, Wo]; backward: gy [N, C, Ho, Wo] -> gx [N, C, H, W] (gather, overwrites). */
    void resize(Tensor in, boolean alignCorners, Tensor out, boolean backward) {
        String op = backward ? "resizeBilinearBackward" : "resizeBilinear";
        nchw(op, in);
        nchw(op, out);
        f32(op, in, out);
        contiguous(op, in, out);
        if (in.dim(0) != out.dim(0) || in.dim(1) != out.dim(1)) {
            throw new IllegalArgumentException(op + ": " + in.describe() + " -> " + out.describe() + " must keep N and C");
        }
        Tensor small = backward ? out : in, large = backward ? in : out;
        int planes = in.dim(0) * in.dim(1);
        if (backward) {
            k.resizeBilinearBackward(ptr(in), ptr(out), planes, small.dim(2), small.dim(3), large.dim(2), large.dim(3), alignCorners, b.stream);
        } else {
            k.resizeBilinearForward(ptr(in), ptr(out), planes, small.dim(2), small.dim(3), large.dim(2), large.dim(3), alignCorners, b.stream);
        }
    }

    /** {outer, len, inner} of a softmax over {@code axis}. */
    private static int[] split(Tensor x, int axis) {
        int a = x.shape().normalizeAxis(axis);
        long outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= x.dim(i);
        for (int i = a + 1; i < x.rank(); i++) inner *= x.dim(i);
        if (outer * x.dim(a) * inner > Integer.MAX_VALUE) throw new UnsupportedOperationException("softmax: " + x.describe() + " needs 64-bit indexing");
        return new int[] {(int) outer, x.dim(a), (int) inner};
    }

    /** x, y: same shape, contiguous. */
    void softmax(Tensor x, int axis, boolean log, Tensor y) {
        sameShape("softmax", x, y);
        f32("softmax", x, y);
        contiguous("softmax", x, y);
        if (x.numel() == 0) return;
        int[] s = split(x, axis);
        k.softmaxForward(ptr(x), ptr(y), s[0], s[1], s[2], log, b.stream);
    }

    /** y, gy, gx: same shape, contiguous. */
    void softmaxBackward(Tensor y, Tensor gy, int axis, boolean log, Tensor gx) {
        sameShape("softmaxBackward", y, gy, gx);
        f32("softmaxBackward", y, gy, gx);
        contiguous("softmaxBackward", y, gy, gx);
        if (y.numel() == 0) return;
        int[] s = split(y, axis);
        k.softmaxBackward(ptr(y), ptr(gy), ptr(gx), s[0], s[1], s[2], log, b.stream);
    }

    private static void ceShapes(String op, Tensor logits, Tensor labels) {
        nchw(op, logits);
        f32(op, logits);
        contiguous(op, logits, labels);
        if (labels.dtype() != DType.I32 || labels.rank() != 3 || labels.dim(0) != logits.dim(0)
                || labels.dim(1) != logits.dim(2) || labels.dim(2) != logits.dim(3)) {
            throw new IllegalArgumentException(op + ": labels " + labels.describe() + " must be I32 [" + logits.dim(0) + ", "
                    + logits.dim(2) + ", " + logits.dim(3) + "] for logits " + logits.describe());
        }
    }

    /**
     * logits [N, C, H, W], labels I32 [N, H, W]; loss: 1 element. Reads back the two counts (one
     * synchronization) to throw, as the CPU does, on labels outside [0, C) that are not ignored —
     * except while a graph is being captured (a host read cannot be captured): then the caller has
     * checked the labels on the host before uploading them.
     */
    void crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor loss) {
        ceShapes("crossEntropy", logits, labels);
        f32("crossEntropy", loss);
        if (loss.numel() != 1) throw new IllegalArgumentException("crossEntropy: loss " + loss.describe() + " must be 1 element");
        try (Tensor counts = b.scratch(DType.I32, Shape.of(2))) {
            ceForward(logits, labels, ignoreIndex, ptr(loss), counts);
            if (b.capturing()) return;
            int[] c = readInts(counts);
            if (c[1] != 0) {
                throw new IllegalArgumentException("crossEntropy: " + c[1] + " labels outside [0, " + logits.dim(1)
                        + ") that are not the ignore index " + ignoreIndex + " in " + labels.describe());
            }
        }
    }

    private void ceForward(Tensor logits, Tensor labels, int ignoreIndex, long loss, Tensor counts) {
        int n = logits.dim(0), c = logits.dim(1), hw = logits.dim(2) * logits.dim(3);
        try (Tensor partials = b.scratch(DType.F64, Shape.of((int) CudaKernels.crossEntropyPartials((long) n * hw)))) {
            k.crossEntropyForward(loss, ptr(counts), ptr(partials), ptr(logits), ptr(labels), n, c, hw, ignoreIndex, b.stream);
        }
    }

    private int[] readInts(Tensor t) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ValueLayout.JAVA_INT, t.numel());
            b.toHost(h, ptr(t), h.byteSize(), "label counts of crossEntropy");
            return h.toArray(ValueLayout.JAVA_INT);
        }
    }

    /** gx [N, C, H, W]; the valid-pixel count comes from re-running the forward's two stages on the device. */
    void crossEntropyBackward(Tensor logits, Tensor labels, int ignoreIndex, Tensor scale, Tensor gx) {
        ceShapes("crossEntropyBackward", logits, labels);
        sameShape("crossEntropyBackward", logits, gx);
        f32("crossEntropyBackward", gx, scale);
        contiguous("crossEntropyBackward", gx);
        if (scale.numel() != 1) throw new IllegalArgumentException("crossEntropyBackward: scale " + scale.describe() + " must be 1 element");
        try (Tensor counts = b.scratch(DType.I32, Shape.of(2)); Tensor loss = b.scratch(DType.F32, Shape.of(1))) {
            ceForward(logits, labels, ignoreIndex, ptr(loss), counts);
            k.crossEntropyBackward(ptr(gx), ptr(logits), ptr(labels), ptr(scale), ptr(counts),
                    logits.dim(0), logits.dim(1), logits.dim(2) * logits.dim(3), ignoreIndex, b.stream);
        }
    }

    private static long[] pointers(Tensor[] ts) {
        long[] p = new long[ts.length];
        for (int i = 0; i < ts.length; i++) p[i] = ts[i] == null ? 0 : ptr(ts[i]);
        return p;
    }

    private static void weightedShapes(String op, Tensor[] xs, Tensor w, Tensor ref) {
        if (xs.length < 1 || xs.length > CudaKernels.MAX_K) {
            throw new UnsupportedOperationException(op + ": K=" + xs.length + " inputs; the CUDA kernel takes 1.." + CudaKernels.MAX_K);
        }
        if (w.numel() != xs.length) throw new IllegalArgumentException(op + ": w " + w.describe() + " must have K=" + xs.length + " elements");
        sameShape(op, ref, xs);
        f32(op, xs);
        f32(op, w, ref);
        contiguous(op, xs);
        contiguous(op, w, ref);
    }

    /** out = Σ_k w[k]·xs[k]; xs: K ≤ 8 tensors of out's shape; w: [K]. */
    void weightedSum(Tensor[] xs, Tensor w, Tensor out) {
        weightedShapes("weightedSum", xs, w, out);
        int n = n("weightedSum", out);
        if (n > 0) k.weightedSumForward(ptr(out), pointers(xs), ptr(w), n, b.stream);
    }

    /** gxs[k] (null = not wanted) = w[k]·gy; gw (null = not wanted) [K] = Σ_i gy_i·xs[k]_i, two-stage. */
    void weightedSumBackward(Tensor[] xs, Tensor w, Tensor gy, Tensor[] gxs, Tensor gw) {
        weightedShapes("weightedSumBackward", xs, w, gy);
        if (gxs.length != xs.length) throw new IllegalArgumentException("weightedSumBackward: " + gxs.length + " gxs for K=" + xs.length);
        sameShape("weightedSumBackward", gy, gxs);
        f32("weightedSumBackward", gxs);
        contiguous("weightedSumBackward", gxs);
        int n = n("weightedSumBackward", gy);
        long[] gp = pointers(gxs);
        boolean anyGx = false;
        for (long p : gp) anyGx |= p != 0;
        if (anyGx && n > 0) k.weightedSumBackwardGx(gp, ptr(gy), ptr(w), n, b.stream);
        if (gw != null) {
            f32("weightedSumBackward", gw);
            contiguous("weightedSumBackward", gw);
            if (gw.numel() != xs.length) throw new IllegalArgumentException("weightedSumBackward: gw " + gw.describe() + " must have K elements");
            try (Tensor partials = b.scratch(DType.F64, Shape.of((int) CudaKernels.weightedSumPartials(xs.length, n)))) {
                k.weightedSumBackwardGw(ptr(gw), ptr(partials), ptr(gy), pointers(xs), n, b.stream);
            }
        }
    }

    /**
     * During a capture the optimizer state must already exist: a first step would be replayed as a
     * first step forever (SGD: buffer = g; Adam: the moments re-zeroed), and its state allocated in the graph.
     */
    private void noFirstStepInCapture(String op, Tensor param, boolean first) {
        if (first && b.capturing()) {
            throw new GraphCaptureException(op + " of " + param.describe() + " is its first step, during the capture of '" + b.captureName()
                    + "': its optimizer state would be created inside the graph; run eager warm-up iterations first");
        }
    }

    /** Eager: the scalars are uploaded before the launch; capturing: they are set, and flushed before each replay. */
    private void flushUnlessCapturing() {
        if (!b.capturing()) b.stepScalars().flush();
    }

    /** param, grad, buf: same shape, contiguous; buf may be null iff momentum == 0 (CpuOptim.sgd). */
    void sgd(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double weightDecay, boolean nesterov, boolean firstStep) {
        boolean useBuf = momentum != 0;
        if (useBuf && buf == null) throw new IllegalArgumentException("sgd: momentum " + momentum + " needs a momentum buffer for " + param.describe());
        if (nesterov && !useBuf) throw new IllegalArgumentException("sgd: nesterov needs momentum > 0");
        Tensor bb = useBuf ? buf : null;
        sameShape("sgd", param, grad, bb);
        f32("sgd", param, grad, bb);
        contiguous("sgd", param, grad, bb);
        int n = n("sgd", param);
        if (n == 0) return;
        noFirstStepInCapture("sgd", param, firstStep && useBuf);
        long p = b.stepScalars().sgd(firstStep, lr);
        flushUnlessCapturing();
        k.sgd(ptr(param), ptr(grad), bb == null ? 0 : ptr(bb), n, p, p + 8, (float) momentum, (float) weightDecay, nesterov, b.stream);
    }

    /** param, grad, m, v: same shape, contiguous; step ≥ 1. */
    void adam(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (step < 1) throw new IllegalArgumentException("adam: step " + step + " must be ≥ 1");
        sameShape("adam", param, grad, m, v);
        f32("adam", param, grad, m, v);
        contiguous("adam", param, grad, m, v);
        int n = n("adam", param);
        if (n == 0) return;
        noFirstStepInCapture("adam", param, step == 1);
        long p = b.stepScalars().adam(ptr(param), lr, step);
        flushUnlessCapturing();
        k.adam(ptr(param), ptr(grad), ptr(m), ptr(v), n, p, p + 8, beta1, beta2, eps, weightDecay, b.stream);
    }
}
