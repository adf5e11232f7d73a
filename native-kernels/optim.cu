// optim.cu — fused in-place optimizer updates over one flat float32 parameter buffer.
//
// Computes, elementwise over n parameters (PyTorch 1.13 single-tensor semantics, dampening 0,
// amsgrad off), in the CPU twin's float expression order with no FMA contraction:
//   sgd_f32:  g = grad + wd·p;  buf = first ? g : buf·momentum + g;
//             p = p + (-lr)·(nesterov ? g + momentum·buf : buf)
//             (momentum == 0: no buffer, buf may be null, p = p + (-lr)·g)
//             first step ⇔ step[0] <= 1.
//   adam_f32: g = grad + wd·p;  m = m·b1 + (1-b1)·g;  v = v·b2 + ((1-b2)·g)·g;
//             p = p + (-lr / (1 - b1^t)) · (m / (sqrt(v) / sqrt(1 - b2^t) + eps)),  t = step[0] >= 1
// lr (double) and step (int64) are read from DEVICE pointers, so a captured CUDA graph replays
// with the current learning rate and step; the scalar coefficients are computed in double and
// rounded once to float, as the CPU twin does. The other hyper-parameters are launch arguments
// (already rounded to float by the caller where the signature says float).
// CPU twin:  adl.backend.cpu.CpuOptim.sgd / .adam (F32 path).
//
// Launch: one thread per element, block 256, grid = ceil(n / 256); grid-stride, any grid is
//   correct. Each element depends only on its own inputs: deterministic.
//
// Build: native-kernels/build-ptx.sh  (nvcc -ptx -arch=compute_80 -O3 optim.cu)

#define OPT_LOOP(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (long long) (n); \
         i += (long long) gridDim.x * blockDim.x)

extern "C" __global__ void sgd_f32(float* p, const float* grad, float* buf, int n,
                                   const double* lr, const long long* step,
                                   float momentum, float weightDecay, int nesterov) {
    float nlr = (float) -lr[0];
    bool first = step[0] <= 1;
    bool useBuf = momentum != 0.f;
    OPT_LOOP(i, n) {
        float pi = p[i];
        float d = __fadd_rn(grad[i], __fmul_rn(weightDecay, pi));
        if (useBuf) {
            float m = first ? d : __fadd_rn(__fmul_rn(buf[i], momentum), d);
            buf[i] = m;
            d = nesterov ? __fadd_rn(d, __fmul_rn(momentum, m)) : m;
        }
        p[i] = __fadd_rn(pi, __fmul_rn(nlr, d));
    }
}

extern "C" __global__ void adam_f32(float* p, const float* grad, float* m, float* v, int n,
                                    const double* lr, const long long* step,
                                    double beta1, double beta2, double eps, double weightDecay) {
    double t = (double) step[0];
    double bc1 = 1.0 - pow(beta1, t);
    float bc2s = (float) sqrt(1.0 - pow(beta2, t));
    float nss = (float) -(lr[0] / bc1);
    float wd = (float) weightDecay, b1 = (float) beta1, b2 = (float) beta2;
    float c1 = (float) (1.0 - beta1), c2 = (float) (1.0 - beta2), e = (float) eps;
    OPT_LOOP(i, n) {
        float pi = p[i];
        float d = __fadd_rn(grad[i], __fmul_rn(wd, pi));
        float mi = __fadd_rn(__fmul_rn(m[i], b1), __fmul_rn(c1, d));
        float vi = __fadd_rn(__fmul_rn(v[i], b2), __fmul_rn(__fmul_rn(c2, d), d));
        m[i] = mi;
        v[i] = vi;
        float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2s), e);
        p[i] = __fadd_rn(pi, __fmul_rn(nss, __fdiv_rn(mi, denom)));
    }
}
