// softmax.cu — softmax / log-softmax along one axis and their backward, float32.
//
// Computes, for a contiguous tensor seen as [outer, len, inner] around the axis (element
// (o, j, i) at o·len·inner + j·inner + i), one softmax vector per (o, i):
//   softmax:     y_j = exp(x_j - m) / s           gx_j = y_j · (gy_j - Σ_k gy_k · y_k)
//   log-softmax: y_j = (x_j - m) - log(s)         gx_j = gy_j - exp(y_j) · Σ_k gy_k
// with m = max_j x_j and s = Σ_j exp(x_j - m) accumulated in double.
// Last axis of [rows, cols]: outer = rows, len = cols, inner = 1. Axis 1 of NCHW: outer = N,
// len = C, inner = H·W. The masked β softmax is this softmax on x + (−1e9 where masked).
// CPU twin:  adl.backend.cpu.CpuSoftmax.forward / .backward (F32 path: exp in double rounded
// to float, sums in double, the same expression order).
//
// Launch: one thread per vector (v = o·inner + i; adjacent threads read adjacent i, so NCHW is
//   coalesced). block 256, grid = ceil(outer·inner / 256); grid-stride, any grid is correct.
//   Each output depends only on its own vector: deterministic for any launch.
//
// Build: native-kernels/build-ptx.sh  (nvcc -ptx -arch=compute_80 -O3 softmax.cu)

// y = softmax(x) (log == 0) or log_softmax(x) (log != 0); y may not alias x.
extern "C" __global__ void softmax_fwd_f32(const float* x, float* y, int outer, int len, int inner, int log) {
    long long vectors = (long long) outer * inner;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long v = (long long) blockIdx.x * blockDim.x + threadIdx.x; v < vectors; v += stride) {
        long long o = v / inner, i = v % inner;
        const float* xv = x + o * len * (long long) inner + i;
        float* yv = y + o * len * (long long) inner + i;
        float m = -INFINITY;
        for (int j = 0; j < len; j++) m = fmaxf(m, xv[(long long) j * inner]);
        double s = 0.0;
        if (log) {
            for (int j = 0; j < len; j++) s += exp((double) __fsub_rn(xv[(long long) j * inner], m));
            float ls = (float) ::log(s);
            for (int j = 0; j < len; j++) yv[(long long) j * inner] = __fsub_rn(__fsub_rn(xv[(long long) j * inner], m), ls);
        } else {
            for (int j = 0; j < len; j++) {
                float e = (float) exp((double) __fsub_rn(xv[(long long) j * inner], m));
                yv[(long long) j * inner] = e;
                s += (double) e;
            }
            float inv = (float) (1.0 / s);
            for (int j = 0; j < len; j++) yv[(long long) j * inner] = __fmul_rn(yv[(long long) j * inner], inv);
        }
    }
}

// gx from y (the forward output) and gy; gx may not alias y or gy.
extern "C" __global__ void softmax_bwd_f32(const float* y, const float* gy, float* gx, int outer, int len, int inner, int log) {
    long long vectors = (long long) outer * inner;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long v = (long long) blockIdx.x * blockDim.x + threadIdx.x; v < vectors; v += stride) {
        long long o = v / inner, i = v % inner;
        long long base = o * len * (long long) inner + i;
        const float* yv = y + base;
        const float* gv = gy + base;
        float* dv = gx + base;
        double dot = 0.0;
        if (log) for (int j = 0; j < len; j++) dot += (double) gv[(long long) j * inner];
        else for (int j = 0; j < len; j++) dot += (double) __fmul_rn(gv[(long long) j * inner], yv[(long long) j * inner]);
        float d = (float) dot;
        if (log) {
            for (int j = 0; j < len; j++) {
                float e = (float) exp((double) yv[(long long) j * inner]);
                dv[(long long) j * inner] = __fsub_rn(gv[(long long) j * inner], __fmul_rn(e, d));
            }
        } else {
            for (int j = 0; j < len; j++) {
                dv[(long long) j * inner] = __fmul_rn(yv[(long long) j * inner], __fsub_rn(gv[(long long) j * inner], d));
            }
        }
    }
}
