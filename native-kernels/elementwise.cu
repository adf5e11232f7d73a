// elementwise.cu — elementwise maps, broadcasting binary ops, fill, strided copy and sum-to
// (the reverse of broadcasting), float32 (fill and copy also int32).
//
// Computes
//   unary_f32:        y = op(x, s), op = the ordinal of adl.backend.UnaryOp:
//                     0 NEG, 1 RELU (max(x, 0); NaN stays NaN), 2 EXP, 3 LOG, 4 SQRT, 5 ADD_SCALAR (x + s), 6 MUL_SCALAR (x·s),
//                     7 POW_SCALAR (x^s), 8 RECIPROCAL (1/x). EXP, LOG, POW in double rounded to
//                     float (as the CPU twin's (float) Math.exp); the rest IEEE float.
//   binary_f32:       z = op(a, b), op = the ordinal of adl.backend.BinaryOp:
//                     0 ADD, 1 SUB, 2 MUL, 3 DIV, 4 MASK_POSITIVE (b > 0 ? a : 0).
//                     z contiguous with 4-D shape [d0, d1, d2, d3] (n = d0·d1·d2·d3; pad leading
//                     dims with 1), a and b read at element strides as*, bs* (0 = broadcast).
//   fill_f32/_i32:    y[0..n) = v.
//   copy_strided_f32/_i32: dst[idx·ds] = src[idx·ss] over the 4-D shape [d0..d3] (n elements);
//                     concat and slice are strided copies into / out of a view.
//   sum_to_f32:       y (contiguous [yd0..yd3], each yd_k ∈ {1, xd_k}) = x summed over the dims
//                     where yd_k = 1 < xd_k; x read at strides xs*. One thread per output element
//                     walks its inputs in row-major order of x with a double accumulator — the
//                     CPU twin's order, so the same bits, deterministic.
// Pointers already include the tensors' element offsets; strides and sizes are in elements.
// CPU twins: adl.backend.cpu.CpuElementwise.unary / .binary / .sumTo,
//            adl.backend.cpu.CpuCopy.fill / .copy.
//
// Launch: one thread per output element, block 256, grid = ceil(n / 256) (sum_to: ceil(ny / 256)),
//   capped at 65535·k as you like: all kernels grid-stride, so any grid is correct.
//
// Build: native-kernels/build-ptx.sh  (nvcc -ptx -arch=compute_80 -O3 elementwise.cu)

#define EW_LOOP(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (long long) (n); \
         i += (long long) gridDim.x * blockDim.x)

// Offset of row-major index q of shape [*, d1, d2, d3] at strides s0..s3.
__device__ __forceinline__ long long ew_offset(long long q, int d1, int d2, int d3, int s0, int s1, int s2, int s3) {
    long long i3 = q % d3; q /= d3;
    long long i2 = q % d2; q /= d2;
    long long i1 = q % d1; q /= d1;
    return q * s0 + i1 * s1 + i2 * s2 + i3 * s3;
}

extern "C" __global__ void unary_f32(const float* x, float* y, int n, int op, float s) {
    EW_LOOP(i, n) {
        float v = x[i], r;
        switch (op) {
            case 0: r = -v; break;
            case 1: r = (v > 0.f || v != v) ? v : 0.f; break;  // NaN stays NaN, as Math.max in the twin
            case 2: r = (float) exp((double) v); break;
            case 3: r = (float) log((double) v); break;
            case 4: r = __fsqrt_rn(v); break;
            case 5: r = __fadd_rn(v, s); break;
            case 6: r = __fmul_rn(v, s); break;
            case 7: r = (float) pow((double) v, (double) s); break;
            default: r = __fdiv_rn(1.f, v); break;
        }
        y[i] = r;
    }
}

extern "C" __global__ void binary_f32(const float* a, const float* b, float* z, int op, int n,
                                      int d1, int d2, int d3,
                                      int as0, int as1, int as2, int as3,
                                      int bs0, int bs1, int bs2, int bs3) {
    EW_LOOP(i, n) {
        float x = a[ew_offset(i, d1, d2, d3, as0, as1, as2, as3)];
        float v = b[ew_offset(i, d1, d2, d3, bs0, bs1, bs2, bs3)];
        float r;
        switch (op) {
            case 0: r = __fadd_rn(x, v); break;
            case 1: r = __fsub_rn(x, v); break;
            case 2: r = __fmul_rn(x, v); break;
            case 3: r = __fdiv_rn(x, v); break;
            default: r = v > 0.f ? x : 0.f; break;
        }
        z[i] = r;
    }
}

extern "C" __global__ void fill_f32(float* y, int n, float v) {
    EW_LOOP(i, n) y[i] = v;
}

extern "C" __global__ void fill_i32(int* y, int n, int v) {
    EW_LOOP(i, n) y[i] = v;
}

extern "C" __global__ void copy_strided_f32(const float* src, float* dst, int n, int d1, int d2, int d3,
                                            int ss0, int ss1, int ss2, int ss3,
                                            int ds0, int ds1, int ds2, int ds3) {
    EW_LOOP(i, n) dst[ew_offset(i, d1, d2, d3, ds0, ds1, ds2, ds3)] = src[ew_offset(i, d1, d2, d3, ss0, ss1, ss2, ss3)];
}

extern "C" __global__ void copy_strided_i32(const int* src, int* dst, int n, int d1, int d2, int d3,
                                            int ss0, int ss1, int ss2, int ss3,
                                            int ds0, int ds1, int ds2, int ds3) {
    EW_LOOP(i, n) dst[ew_offset(i, d1, d2, d3, ds0, ds1, ds2, ds3)] = src[ew_offset(i, d1, d2, d3, ss0, ss1, ss2, ss3)];
}

extern "C" __global__ void sum_to_f32(const float* x, float* y, int ny,
                                      int xd0, int xd1, int xd2, int xd3,
                                      int xs0, int xs1, int xs2, int xs3,
                                      int yd0, int yd1, int yd2, int yd3) {
    int r0 = yd0 == 1 ? xd0 : 1, r1 = yd1 == 1 ? xd1 : 1, r2 = yd2 == 1 ? xd2 : 1, r3 = yd3 == 1 ? xd3 : 1;
    EW_LOOP(q, ny) {
        long long t = q;
        int c3 = (int) (t % yd3); t /= yd3;
        int c2 = (int) (t % yd2); t /= yd2;
        int c1 = (int) (t % yd1); t /= yd1;
        int c0 = (int) t;
        double acc = 0.0;
        for (int a = 0; a < r0; a++) {
            long long o0 = (long long) (yd0 == 1 ? a : c0) * xs0;
            for (int b = 0; b < r1; b++) {
                long long o1 = o0 + (long long) (yd1 == 1 ? b : c1) * xs1;
                for (int c = 0; c < r2; c++) {
                    long long o2 = o1 + (long long) (yd2 == 1 ? c : c2) * xs2;
                    for (int d = 0; d < r3; d++) acc += (double) x[o2 + (long long) (yd3 == 1 ? d : c3) * xs3];
                }
            }
        }
        y[q] = (float) acc;
    }
}
