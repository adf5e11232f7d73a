// resize.cu — bilinear resize to an exact output size, forward and backward, float32.
//
// Computes PyTorch F.interpolate(mode='bilinear', size=(Ho, Wo), align_corners) per axis:
//   align_corners != 0: src = dst · (in - 1) / (out - 1)            (0 when out = 1)
//   align_corners == 0: src = max((dst + 0.5) · in / out - 0.5, 0)
//   i0 = min(floor(src), in - 1), i1 = min(i0 + 1, in - 1), λ1 = src - i0, λ0 = 1 - λ1
// with src, λ computed in double and λ rounded to float, exactly as the CPU twin does.
//   forward:  y[i, j] = λh0·(λw0·x[h0, w0] + λw1·x[h0, w1]) + λh1·(λw0·x[h1, w0] + λw1·x[h1, w1])
//   backward: gx[h, w] = Σ_{j: w0(j) = w or w1(j) = w} λw(j→w) · t[h, j],
//             t[h, j] = Σ_{i: h0(i) = h or h1(i) = h} λh(i→h) · gy[i, j]
// The backward is a GATHER (no atomics): each input pixel walks the contiguous range of output
// rows i with h0(i) ∈ {h-1, h} (found from an analytic lower bound, then exact taps) and the
// same for columns, summing in the CPU twin's order (i ascending, the h0 tap before the h1 tap;
// then j ascending) with __fmul_rn / __fadd_rn — the same bits as the CPU, on every run.
// x: [planes = N·C, H, W], y: [planes, Ho, Wo], contiguous.
// CPU twin:  adl.backend.cpu.CpuResize.forward / .backward (F32 path).
//
// Launch: forward one thread per output element, grid = ceil(planes·Ho·Wo / 256), block 256;
//   backward one thread per input element, grid = ceil(planes·H·W / 256), block 256.
//   Both grid-stride: any grid is correct.
//
// Build: native-kernels/build-ptx.sh  (nvcc -ptx -arch=compute_80 -O3 resize.cu)

struct Tap { int i0, i1; float l0, l1; };

__device__ __forceinline__ double rs_scale(int in, int out, int align) {
    return align ? (out > 1 ? (double) (in - 1) / (double) (out - 1) : 0.0) : (double) in / (double) out;
}

__device__ __forceinline__ Tap rs_tap(int d, int in, double scale, int align) {
    double src = align ? __dmul_rn((double) d, scale)
                       : fmax(__dadd_rn(__dmul_rn(__dadd_rn((double) d, 0.5), scale), -0.5), 0.0);
    int a = min((int) src, in - 1);
    Tap t;
    t.i0 = a;
    t.i1 = a < in - 1 ? a + 1 : a;
    double l1 = __dsub_rn(src, (double) a);
    t.l1 = (float) l1;
    t.l0 = (float) __dsub_rn(1.0, l1);
    return t;
}

// A lower bound on the first output index whose i0 tap is >= h - 1.
__device__ __forceinline__ int rs_first(int h, int in, int out, int align) {
    if (h <= 1) return 0;
    double e;
    if (align) {
        if (in <= 1 || out <= 1) return 0;
        e = floor((double) (h - 1) * (double) (out - 1) / (double) (in - 1)) - 1.0;
    } else {
        e = floor(((double) h - 0.5) * (double) out / (double) in - 0.5) - 1.0;
    }
    return e < 0.0 ? 0 : (int) e;
}

extern "C" __global__ void resize_bilinear_fwd_f32(const float* x, float* y, int planes, int H, int W,
                                                   int Ho, int Wo, int alignCorners) {
    double sh = rs_scale(H, Ho, alignCorners), sw = rs_scale(W, Wo, alignCorners);
    long long total = (long long) planes * Ho * Wo;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long q = (long long) blockIdx.x * blockDim.x + threadIdx.x; q < total; q += stride) {
        int j = (int) (q % Wo);
        int i = (int) ((q / Wo) % Ho);
        long long pl = q / ((long long) Wo * Ho);
        Tap th = rs_tap(i, H, sh, alignCorners), tw = rs_tap(j, W, sw, alignCorners);
        const float* xp = x + pl * H * (long long) W;
        const float* r0 = xp + (long long) th.i0 * W;
        const float* r1 = xp + (long long) th.i1 * W;
        float t0 = __fadd_rn(__fmul_rn(tw.l0, r0[tw.i0]), __fmul_rn(tw.l1, r0[tw.i1]));
        float t1 = __fadd_rn(__fmul_rn(tw.l0, r1[tw.i0]), __fmul_rn(tw.l1, r1[tw.i1]));
        y[q] = __fadd_rn(__fmul_rn(th.l0, t0), __fmul_rn(th.l1, t1));
    }
}

extern "C" __global__ void resize_bilinear_bwd_f32(const float* gy, float* gx, int planes, int H, int W,
                                                   int Ho, int Wo, int alignCorners) {
    double sh = rs_scale(H, Ho, alignCorners), sw = rs_scale(W, Wo, alignCorners);
    long long total = (long long) planes * H * W;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long q = (long long) blockIdx.x * blockDim.x + threadIdx.x; q < total; q += stride) {
        int w = (int) (q % W);
        int h = (int) ((q / W) % H);
        long long pl = q / ((long long) W * H);
        const float* gp = gy + pl * Ho * (long long) Wo;
        int i0 = rs_first(h, H, Ho, alignCorners);
        while (i0 < Ho && rs_tap(i0, H, sh, alignCorners).i0 < h - 1) i0++;
        int j = rs_first(w, W, Wo, alignCorners);
        while (j < Wo && rs_tap(j, W, sw, alignCorners).i0 < w - 1) j++;
        float acc = 0.f;
        for (; j < Wo; j++) {
            Tap tw = rs_tap(j, W, sw, alignCorners);
            if (tw.i0 > w) break;
            if (tw.i0 != w && tw.i1 != w) continue;
            float t = 0.f;
            for (int i = i0; i < Ho; i++) {
                Tap th = rs_tap(i, H, sh, alignCorners);
                if (th.i0 > h) break;
                float g = gp[(long long) i * Wo + j];
                if (th.i0 == h) t = __fadd_rn(t, __fmul_rn(th.l0, g));
                if (th.i1 == h) t = __fadd_rn(t, __fmul_rn(th.l1, g));
            }
            if (tw.i0 == w) acc = __fadd_rn(acc, __fmul_rn(tw.l0, t));
            if (tw.i1 == w) acc = __fadd_rn(acc, __fmul_rn(tw.l1, t));
        }
        gx[q] = acc;
    }
}
