package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * Fused optimizer updates, in place and elementwise, F32 and F64. The F32 path evaluates each
 * element in the order PyTorch's single-tensor implementation does (torch/optim/sgd.py and
 * adam.py, 1.13), with the scalar coefficients computed in double and rounded once to float,
 * so results agree with torch float32 to a few ulps. Work is split into fixed chunks of
 * {@link #CHUNK} elements; each element depends only on its own inputs, so the result is the
 * same for any thread count.
 */
final class CpuOptim {
    /** Elements per parallel task: fixed, so the partition never depends on the thread count. */
    private static final int CHUNK = 1 << 14;

    private CpuOptim() {}

    /**
     * param, grad, buf: same shape, contiguous (buf may be null when momentum is 0).
     * PyTorch SGD, dampening 0: g = grad + wd·p; buf = firstStep ? g : momentum·buf + g;
     * p += -lr · (nesterov ? g + momentum·buf : buf). With momentum 0 and no buf: p += -lr · g.
     */
    static void sgd(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double weightDecay,
                    boolean nesterov, boolean firstStep) {
        boolean useBuf = momentum != 0;
        if (useBuf && buf == null) throw new IllegalArgumentException("sgd: momentum " + momentum + " needs a momentum buffer for " + param.describe());
        if (nesterov && !useBuf) throw new IllegalArgumentException("sgd: nesterov needs momentum > 0");
        check("sgd", param, grad, useBuf ? buf : null);
        int n = param.shape().size();
        int po = (int) param.offset(), go = (int) grad.offset(), bo = useBuf ? (int) buf.offset() : 0;
        int tasks = (n + CHUNK - 1) / CHUNK;
        if (param.dtype() == DType.F32) {
            float[] p = CpuStorage.f32(param), g = CpuStorage.f32(grad), b = useBuf ? CpuStorage.f32(buf) : null;
            float wd = (float) weightDecay, mo = (float) momentum, nlr = (float) -lr;
            Parallel.forEach(tasks, 8L * CHUNK, t -> {
                int lo = t * CHUNK, hi = Math.min(n, lo + CHUNK);
                for (int i = lo; i < hi; i++) {
                    float d = g[go + i] + wd * p[po + i];
                    if (useBuf) {
                        float m = firstStep ? d : b[bo + i] * mo + d;
                        b[bo + i] = m;
                        d = nesterov ? d + mo * m : m;
                    }
                    p[po + i] = p[po + i] + nlr * d;
                }
            });
        } else {
            double[] p = CpuStorage.f64(param), g = CpuStorage.f64(grad), b = useBuf ? CpuStorage.f64(buf) : null;
            Parallel.forEach(tasks, 8L * CHUNK, t -> {
                int lo = t * CHUNK, hi = Math.min(n, lo + CHUNK);
                for (int i = lo; i < hi; i++) {
                    double d = g[go + i] + weightDecay * p[po + i];
                    if (useBuf) {
                        double m = firstStep ? d : b[bo + i] * momentum + d;
                        b[bo + i] = m;
                        d = nesterov ? d + momentum * m : m;
                    }
                    p[po + i] = p[po + i] - lr * d;
                }
            });
        }
    }

    /**
     * param, grad, m, v: same shape, contiguous; step = t >= 1 (this update's 1-based count).
     * PyTorch Adam (L2 decay, amsgrad off): g = grad + wd·p; m = b1·m + (1-b1)·g;
     * v = b2·v + (1-b2)·g²; p += -(lr / (1-b1^t)) · m / (sqrt(v) / sqrt(1-b2^t) + eps).
     */
    static void adam(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                     double beta2, double eps, double weightDecay) {
        if (step < 1) throw new IllegalArgumentException("adam: step must be >= 1, got " + step + " for " + param.describe());
        check("adam", param, grad, m);
        check("adam", param, grad, v);
        int n = param.shape().size();
        int po = (int) param.offset(), go = (int) grad.offset(), mo = (int) m.offset(), vo = (int) v.offset();
        int tasks = (n + CHUNK - 1) / CHUNK;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bc1;
        if (param.dtype() == DType.F32) {
            float[] p = CpuStorage.f32(param), g = CpuStorage.f32(grad), ma = CpuStorage.f32(m), va = CpuStorage.f32(v);
            float wd = (float) weightDecay, b1 = (float) beta1, b2 = (float) beta2;
            float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), e = (float) eps;
            float bc2s = (float) bc2Sqrt, nss = (float) -stepSize;
            Parallel.forEach(tasks, 16L * CHUNK, t -> {
                int lo = t * CHUNK, hi = Math.min(n, lo + CHUNK);
                for (int i = lo; i < hi; i++) {
                    float d = g[go + i] + wd * p[po + i];
                    float mi = ma[mo + i] * b1 + c1 * d;
                    float vi = va[vo + i] * b2 + c2 * d * d;
                    ma[mo + i] = mi;
                    va[vo + i] = vi;
                    float denom = (float) Math.sqrt(vi) / bc2s + e;
                    p[po + i] = p[po + i] + nss * (mi / denom);
                }
            });
        } else {
            double[] p = CpuStorage.f64(param), g = CpuStorage.f64(grad), ma = CpuStorage.f64(m), va = CpuStorage.f64(v);
            Parallel.forEach(tasks, 16L * CHUNK, t -> {
                int lo = t * CHUNK, hi = Math.min(n, lo + CHUNK);
                for (int i = lo; i < hi; i++) {
                    double d = g[go + i] + weightDecay * p[po + i];
                    double mi = ma[mo + i] * beta1 + (1 - beta1) * d;
                    double vi = va[vo + i] * beta2 + (1 - beta2) * d * d;
                    ma[mo + i] = mi;
                    va[vo + i] = vi;
                    double denom = Math.sqrt(vi) / bc2Sqrt + eps;
                    p[po + i] = p[po + i] - stepSize * (mi / denom);
                }
            });
        }
    }

    /** All of param, grad and state (when non-null) contiguous, of param's shape and dtype (F32/F64). */
    private static void check(String op, Tensor param, Tensor grad, Tensor state) {
        if (!param.dtype().isFloating()) throw new IllegalArgumentException(op + ": parameter " + param.describe() + " is not floating point");
        for (Tensor t : new Tensor[] {param, grad, state}) {
            if (t == null) continue;
            CpuCopy.requireContiguous(t, op);
            if (!t.shape().equals(param.shape()) || t.dtype() != param.dtype()) {
                throw new IllegalArgumentException(op + ": " + t.describe() + " does not match parameter " + param.describe());
            }
        }
    }
}
