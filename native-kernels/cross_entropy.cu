// cross_entropy.cu — pixel cross-entropy with an ignore label, float32 logits, int32 labels.
//
// Computes (PyTorch F.cross_entropy(logits, labels, ignore_index, reduction='mean'), except
// that a batch with every pixel ignored gives 0 instead of NaN):
//   loss_p = m_p + log Σ_c exp(x[n,c,p] - m_p) - x[n,label_p,p]     (label_p != ignore)
//   loss   = Σ_p loss_p / count                                       count = #non-ignored pixels
//   gx[n,c,p] = (scale/count) · (softmax_c(x[n,:,p]) - [c == label_p]),  0 where ignored
// logits [N, C, HW] contiguous (channel stride HW), labels [N, HW].
// A label outside [0, C) that is not the ignore index is treated as ignored and counted in
// counts[1] (the CPU twin throws; the binding checks counts[1] == 0 after the forward).
// CPU twin:  adl.backend.cpu.CpuCrossEntropy.forward / .backward (F32 path).
//
// Launch:
//   cross_entropy_fwd_partial_f32 (stage 1): block 256 (CE_THREADS, required),
//       grid = ce_partial_blocks(N·HW) = clamp(ceil(N·HW / 8192), 1, 256) — a function of the
//       shape only. Thread t of block b visits pixels q = b·256 + t, + grid·256, ...; per-pixel
//       losses summed in double, a fixed shared-memory tree per block; writes the double
//       scratch partials[3, grid]: row 0 loss sums, row 1 valid counts, row 2 bad-label counts.
//   cross_entropy_fwd_final_f32 (stage 2): grid 1, block 256 (required); sums each row in index
//       order then the same tree; writes loss[0] = (float)(total / count) (0 when count == 0),
//       counts[0] = count, counts[1] = bad labels (int32). No atomics: same bits every run.
//   cross_entropy_bwd_f32: one thread per pixel, block 256, grid = ceil(N·HW / 256),
//       grid-stride. Reads scale[0] (float) and counts[0] (int, from the forward) from the device.
//
// Build: native-kernels/build-ptx.sh  (nvcc -ptx -arch=compute_80 -O3 cross_entropy.cu)

#define CE_THREADS 256

__device__ __forceinline__ void ce_tree(double* s) {
    for (int half = CE_THREADS / 2; half > 0; half >>= 1) {
        __syncthreads();
        if (threadIdx.x < half) s[threadIdx.x] += s[threadIdx.x + half];
    }
    __syncthreads();
}

extern "C" __global__ void cross_entropy_fwd_partial_f32(double* partials, const float* logits, const int* labels,
                                                         int N, int C, int HW, int ignoreIndex) {
    __shared__ double s[CE_THREADS];
    double sum = 0.0, valid = 0.0, bad = 0.0;
    long long pixels = (long long) N * HW;
    long long stride = (long long) gridDim.x * CE_THREADS;
    for (long long q = (long long) blockIdx.x * CE_THREADS + threadIdx.x; q < pixels; q += stride) {
        int label = labels[q];
        if (label == ignoreIndex) continue;
        if (label < 0 || label >= C) { bad += 1.0; continue; }
        long long n = q / HW, p = q % HW;
        const float* xp = logits + n * C * (long long) HW + p;
        float m = -INFINITY;
        for (int c = 0; c < C; c++) m = fmaxf(m, xp[(long long) c * HW]);
        double se = 0.0;
        for (int c = 0; c < C; c++) se += exp((double) __fsub_rn(xp[(long long) c * HW], m));
        sum += (double) m + ::log(se) - (double) xp[(long long) label * HW];
        valid += 1.0;
    }
    double vals[3] = {sum, valid, bad};
    for (int r = 0; r < 3; r++) {
        s[threadIdx.x] = vals[r];
        ce_tree(s);
        if (threadIdx.x == 0) partials[r * gridDim.x + blockIdx.x] = s[0];
        __syncthreads();
    }
}

extern "C" __global__ void cross_entropy_fwd_final_f32(float* loss, int* counts, const double* partials, int numBlocks) {
    __shared__ double s[CE_THREADS];
    double tot[3];
    for (int r = 0; r < 3; r++) {
        double acc = 0.0;
        for (int j = threadIdx.x; j < numBlocks; j += CE_THREADS) acc += partials[r * numBlocks + j];
        s[threadIdx.x] = acc;
        ce_tree(s);
        tot[r] = s[0];
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        loss[0] = tot[1] == 0.0 ? 0.f : (float) (tot[0] / tot[1]);
        counts[0] = (int) tot[1];
        counts[1] = (int) tot[2];
    }
}

extern "C" __global__ void cross_entropy_bwd_f32(float* gx, const float* logits, const int* labels,
                                                 const float* scale, const int* counts,
                                                 int N, int C, int HW, int ignoreIndex) {
    int count = counts[0];
    double k = count == 0 ? 0.0 : (double) scale[0] / (double) count;
    float kf = (float) k;
    long long pixels = (long long) N * HW;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long q = (long long) blockIdx.x * blockDim.x + threadIdx.x; q < pixels; q += stride) {
        int label = labels[q];
        long long n = q / HW, p = q % HW;
        const float* xp = logits + n * C * (long long) HW + p;
        float* gp = gx + n * C * (long long) HW + p;
        if (label == ignoreIndex || label < 0 || label >= C) {
            for (int c = 0; c < C; c++) gp[(long long) c * HW] = 0.f;
            continue;
        }
        float m = -INFINITY;
        for (int c = 0; c < C; c++) m = fmaxf(m, xp[(long long) c * HW]);
        double se = 0.0;
        for (int c = 0; c < C; c++) se += (double) (float) exp((double) __fsub_rn(xp[(long long) c * HW], m));
        float f = (float) ((double) kf / se);  // the CPU twin divides the float-rounded k
        for (int c = 0; c < C; c++) {
            float e = (float) exp((double) __fsub_rn(xp[(long long) c * HW], m));
            float g = __fmul_rn(e, f);
            if (c == label) g = __fsub_rn(g, kf);
            gp[(long long) c * HW] = g;
        }
    }
}
