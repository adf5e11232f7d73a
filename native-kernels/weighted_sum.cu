// weighted_sum.cu — the MixedOp / trellis weighted sum (docs/05c-kernels.md §2), float32.
//
// Computes   forward:  out_i = Σ_k w[k] · x_{k,i}          (k ascending, K ≤ 8)
//            backward: gx_{k,i} = w[k] · gy_i              (only the k whose bit is set in mask)
//                      gw[k] = Σ_i gy_i · x_{k,i}          (deterministic two-stage reduction)
// CPU twin:  adl.backend.cpu.CpuWeightedSum.forward / .backward (F32 path).
//
// The K inputs are passed as separate pointer arguments x0..x7 (unused ones may be null) and
// w is a DEVICE pointer, so a captured CUDA graph reads the current weights on replay.
// Products and sums use __fmul_rn / __fadd_rn (no FMA contraction), in the CPU twin's order:
// out = w0·x0, then out += wk·xk for k = 1..K-1 — the forward has the CPU's bits.
//
// Launch:
//   weighted_sum_fwd_f32, weighted_sum_bwd_gx_f32:
//       block 256, grid = min(ceil(max(n/4, 1) / 256), 65535); grid-stride, any grid is correct.
//       float4 loads/stores when n % 4 == 0 and every pointer used is 16-byte aligned
//       (checked in the kernel), scalar otherwise.
//   weighted_sum_bwd_gw_partial_f32 (stage 1):
//       block 256 (WS_THREADS, required), grid = ws_partial_blocks(n) =
//       clamp(ceil(n / 8192), 1, 256) — a function of n only. Thread t of block b visits
//       i = b·256 + t, then + grid·256, ...; exact float products summed in double; a fixed
//       shared-memory tree gives partials[k·grid + b] (double scratch [K, grid]).
//   weighted_sum_bwd_gw_final_f32 (stage 2):
//       grid K, block 256 (required); block k sums partials[k·numBlocks + j] for j = t, t+256, ...
//       then the same fixed tree, and writes gw[k] = (float) sum. No atomics: same bits every run.
//
// Build: native-kernels/build-ptx.sh  (nvcc -ptx -arch=compute_80 -O3 weighted_sum.cu)

#define WS_THREADS 256
#define WS_MAX_K 8

__device__ __forceinline__ const float* ws_pick(int k, const float* x0, const float* x1, const float* x2, const float* x3,
                                                const float* x4, const float* x5, const float* x6, const float* x7) {
    switch (k) {
        case 0: return x0; case 1: return x1; case 2: return x2; case 3: return x3;
        case 4: return x4; case 5: return x5; case 6: return x6; default: return x7;
    }
}

__device__ __forceinline__ bool ws_aligned(const void* p) { return (((unsigned long long) p) & 15ull) == 0; }

__device__ __forceinline__ float4 ws_madd(float4 o, float w, float4 x) {
    o.x = __fadd_rn(o.x, __fmul_rn(w, x.x));
    o.y = __fadd_rn(o.y, __fmul_rn(w, x.y));
    o.z = __fadd_rn(o.z, __fmul_rn(w, x.z));
    o.w = __fadd_rn(o.w, __fmul_rn(w, x.w));
    return o;
}

__device__ __forceinline__ float4 ws_scale(float w, float4 x) {
    return make_float4(__fmul_rn(w, x.x), __fmul_rn(w, x.y), __fmul_rn(w, x.z), __fmul_rn(w, x.w));
}

// out[n] = Σ_{k<K} w[k]·x_k[n]; 1 ≤ K ≤ 8; out aliases no x_k.
extern "C" __global__ void weighted_sum_fwd_f32(float* out,
                                                const float* x0, const float* x1, const float* x2, const float* x3,
                                                const float* x4, const float* x5, const float* x6, const float* x7,
                                                const float* w, int K, int n) {
    float wk[WS_MAX_K];
    const float* xs[WS_MAX_K];
    bool vec = (n & 3) == 0 && ws_aligned(out);
    #pragma unroll
    for (int k = 0; k < WS_MAX_K; k++) {
        wk[k] = k < K ? w[k] : 0.f;
        xs[k] = ws_pick(k, x0, x1, x2, x3, x4, x5, x6, x7);
        if (k < K) vec = vec && ws_aligned(xs[k]);
    }
    int stride = gridDim.x * blockDim.x;
    if (vec) {
        int n4 = n >> 2;
        for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n4; i += stride) {
            float4 o = ws_scale(wk[0], reinterpret_cast<const float4*>(xs[0])[i]);
            #pragma unroll
            for (int k = 1; k < WS_MAX_K; k++) {
                if (k < K) o = ws_madd(o, wk[k], reinterpret_cast<const float4*>(xs[k])[i]);
            }
            reinterpret_cast<float4*>(out)[i] = o;
        }
    } else {
        for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
            float o = __fmul_rn(wk[0], xs[0][i]);
            #pragma unroll
            for (int k = 1; k < WS_MAX_K; k++) {
                if (k < K) o = __fadd_rn(o, __fmul_rn(wk[k], xs[k][i]));
            }
            out[i] = o;
        }
    }
}

// gx_k[n] = w[k]·gy[n] for every k < K with bit k of mask set (the others may be null).
extern "C" __global__ void weighted_sum_bwd_gx_f32(float* gx0, float* gx1, float* gx2, float* gx3,
                                                   float* gx4, float* gx5, float* gx6, float* gx7,
                                                   const float* gy, const float* w, int K, int mask, int n) {
    float* gs[WS_MAX_K] = {gx0, gx1, gx2, gx3, gx4, gx5, gx6, gx7};
    float wk[WS_MAX_K];
    bool vec = (n & 3) == 0 && ws_aligned(gy);
    #pragma unroll
    for (int k = 0; k < WS_MAX_K; k++) {
        bool on = k < K && ((mask >> k) & 1);
        wk[k] = on ? w[k] : 0.f;
        if (on) vec = vec && ws_aligned(gs[k]);
    }
    int stride = gridDim.x * blockDim.x;
    if (vec) {
        int n4 = n >> 2;
        for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n4; i += stride) {
            float4 g = reinterpret_cast<const float4*>(gy)[i];
            #pragma unroll
            for (int k = 0; k < WS_MAX_K; k++) {
                if (k < K && ((mask >> k) & 1)) reinterpret_cast<float4*>(gs[k])[i] = ws_scale(wk[k], g);
            }
        }
    } else {
        for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
            float g = gy[i];
            #pragma unroll
            for (int k = 0; k < WS_MAX_K; k++) {
                if (k < K && ((mask >> k) & 1)) gs[k][i] = __fmul_rn(wk[k], g);
            }
        }
    }
}

// Fixed-order tree over WS_THREADS doubles in shared memory; the result is in s[0].
__device__ __forceinline__ void ws_tree(double* s) {
    for (int half = WS_THREADS / 2; half > 0; half >>= 1) {
        __syncthreads();
        if (threadIdx.x < half) s[threadIdx.x] += s[threadIdx.x + half];
    }
    __syncthreads();
}

// Stage 1: partials[k·gridDim.x + blockIdx.x] = Σ over this block's indices of (double) gy_i · x_{k,i}.
// blockDim.x must be 256; gridDim.x must be ws_partial_blocks(n) = clamp(ceil(n / 8192), 1, 256).
extern "C" __global__ void weighted_sum_bwd_gw_partial_f32(double* partials, const float* gy,
                                                           const float* x0, const float* x1, const float* x2, const float* x3,
                                                           const float* x4, const float* x5, const float* x6, const float* x7,
                                                           int K, int n) {
    __shared__ double s[WS_THREADS];
    double acc[WS_MAX_K];
    const float* xs[WS_MAX_K];
    #pragma unroll
    for (int k = 0; k < WS_MAX_K; k++) { acc[k] = 0.0; xs[k] = ws_pick(k, x0, x1, x2, x3, x4, x5, x6, x7); }
    int stride = gridDim.x * WS_THREADS;
    for (int i = blockIdx.x * WS_THREADS + threadIdx.x; i < n; i += stride) {
        double g = (double) gy[i];
        #pragma unroll
        for (int k = 0; k < WS_MAX_K; k++) {
            if (k < K) acc[k] += g * (double) xs[k][i];
        }
    }
    for (int k = 0; k < K; k++) {
        s[threadIdx.x] = acc[k];
        ws_tree(s);
        if (threadIdx.x == 0) partials[k * gridDim.x + blockIdx.x] = s[0];
        __syncthreads();
    }
}

// Stage 2: gw[k] = (float) Σ_j partials[k·numBlocks + j]; grid = K blocks of 256 threads.
extern "C" __global__ void weighted_sum_bwd_gw_final_f32(float* gw, const double* partials, int numBlocks) {
    __shared__ double s[WS_THREADS];
    int k = blockIdx.x;
    double acc = 0.0;
    for (int j = threadIdx.x; j < numBlocks; j += WS_THREADS) acc += partials[k * numBlocks + j];
    s[threadIdx.x] = acc;
    ws_tree(s);
    if (threadIdx.x == 0) gw[k] = (float) s[0];
}
