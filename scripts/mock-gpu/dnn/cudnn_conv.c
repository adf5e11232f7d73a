/*
 * adl mock GPU — cudnnConvolutionForward, cudnnConvolutionBackwardData,
 * cudnnConvolutionBackwardFilter (cnn library,
 * https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-cnn-library.html), as plain loops.
 *
 * Shapes: x [N, C, H, W] (any strides), w [K, C/G, R, S] (KCRS or KRSC), y [N, K, Ho, Wo], G
 * groups: output channel k reads input channels g·C/G .. (g+1)·C/G - 1 with g = k / (K/G).
 *   forward:         y[n,k,oh,ow]  = Σ_{c',r,s} x[n, g·C/G + c', oh·u - pad_h + r·dil_h, ow·v - pad_w + s·dil_w] · w[k,c',r̂,ŝ]
 *   backward data:   dx[n,c,ih,iw] = Σ over every (k in c's group, r, s, oh, ow) of the forward that read x[n,c,ih,iw]: w[k,c',r̂,ŝ]·dy[n,k,oh,ow]
 *   backward filter: dw[k,c',r̂,ŝ]  = Σ_{n,oh,ow} x[n, g·C/G + c', ih, iw] · dy[n,k,oh,ow]
 * where r̂ = r, ŝ = s for CUDNN_CROSS_CORRELATION and r̂ = R-1-r, ŝ = S-1-s for CUDNN_CONVOLUTION
 * (the docs: convolution mode flips the filter). Out-of-range input positions are the zero padding.
 * Result blending as documented: out = alpha·result + beta·out, out not read when beta = 0.
 *
 * Errors at call time (the docs' lists): BAD_PARAM for a NULL handle, descriptor, data pointer,
 * alpha or beta, inconsistent shapes (dnn_conv_shapes), an algo that is not an enumerant, or a
 * workspace smaller than cudnnGet*WorkspaceSize; NOT_SUPPORTED for an algo the mock does not list
 * with status 0. The given workspace is filled with 0xff bytes (NaN) when the work runs, so a
 * workspace that overlaps live data is caught by the results.
 */
#include <stdlib.h>
#include <string.h>
#include "dnn_internal.h"

typedef struct {
    enum dnn_pass pass;
    struct dnn_tensor x, y;
    struct dnn_filter w;
    struct dnn_conv c;
    float alpha, beta;
    CUdeviceptr px, pw, py, pws;
    dnn_algo_traits t;
    unsigned rotation_seed;
} conv_job;

static const char *FN[] = { "cudnnConvolutionForward", "cudnnConvolutionBackwardData", "cudnnConvolutionBackwardFilter" };

/* The reduction: in order for deterministic algorithms; from a start that depends on this run and
 * on the output element for non-deterministic ones (float addition is not associative). */
static float reduce(const float *t, int len, int nondet, unsigned rot, int64_t idx) {
    float s = 0.0f;
    if (len == 0) return s;
    if (!nondet) {
        for (int i = 0; i < len; i++) s += t[i];
        return s;
    }
    uint64_t h = (uint64_t)rot * 0x9e3779b97f4a7c15ull ^ (uint64_t)idx * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
    int start = (int)(h % (uint64_t)len);
    for (int i = 0; i < len; i++) s += t[(start + i) % len];
    return s;
}

/* A TF32-rounded copy of an input's bytes (same layout), or the input itself. */
static const float *maybe_tf32(const float *p, size_t bytes, int tf32, float **owned) {
    *owned = NULL;
    if (!tf32 || bytes == 0) return p;
    float *q = malloc(bytes);
    if (q == NULL) return NULL;
    for (size_t i = 0; i < bytes / 4; i++) q[i] = dnn_tf32(p[i]);
    *owned = q;
    return q;
}

/* One term of an output's reduction: summed at once (deterministic: in loop order) or kept for reduce(). */
#define TERM(v) do { float t_ = (v); if (nd) terms[len++] = t_; else acc += t_; } while (0)
#define RESULT(o) (nd ? reduce(terms, len, 1, rot, (o)) : acc)

static void conv_run(void *arg) {
    conv_job *j = arg;
    const char *fn = FN[j->pass];
    size_t xb = dnn_tensor_bytes(&j->x), wb = dnn_filter_bytes(&j->w), yb = dnn_tensor_bytes(&j->y);
    float *x = adlmock_device_ptr(j->px, xb, fn), *w = adlmock_device_ptr(j->pw, wb, fn), *y = adlmock_device_ptr(j->py, yb, fn);
    if (x == NULL || w == NULL || y == NULL) return;
    if (j->t.workspace > 0) {
        void *ws = adlmock_device_ptr(j->pws, j->t.workspace, fn);
        if (ws == NULL) return;
        memset(ws, 0xff, j->t.workspace);
    }
    const struct dnn_tensor *X = &j->x, *Y = &j->y;
    const struct dnn_filter *F = &j->w;
    const struct dnn_conv *C = &j->c;
    int G = C->groups, Cg = F->c, Kg = F->k / G, R = F->r, S = F->s;
    int flip = C->mode == CUDNN_CONVOLUTION;
    int nd = j->t.nondeterministic;
    unsigned rot = nd ? dnn_next_rotation() : 0;
    float *ox = NULL, *ow = NULL, *oy = NULL;
    const float *ix = x, *iw = w, *iy = y;
    /* The two inputs of the pass are rounded to TF32 under a tensor-op math type. */
    if (j->pass != DNN_BWD_DATA) ix = maybe_tf32(x, xb, j->t.tf32, &ox);
    if (j->pass != DNN_BWD_FILTER) iw = maybe_tf32(w, wb, j->t.tf32, &ow);
    if (j->pass != DNN_FWD) iy = maybe_tf32(y, yb, j->t.tf32, &oy);
    int cap = Cg * R * S;
    if (Kg * R * S > cap) cap = Kg * R * S;
    if (X->n * Y->h * Y->w > cap) cap = X->n * Y->h * Y->w;
    float *terms = nd ? malloc(sizeof(float) * (size_t)(cap > 0 ? cap : 1)) : NULL;
    if ((nd && terms == NULL) || ix == NULL || iw == NULL || iy == NULL) {
        adlmock_report("%s: out of host memory", fn);
        goto done;
    }
    /* Filter element strides (KCRS or KRSC) and the flipped-or-not offsets of r̂ and ŝ. */
    int64_t fk, fc, fr, fs;
    if (F->format == CUDNN_TENSOR_NHWC) { fs = Cg; fr = (int64_t)S * Cg; fc = 1; fk = (int64_t)R * S * Cg; }
    else { fs = 1; fr = S; fc = (int64_t)R * S; fk = (int64_t)Cg * R * S; }
    int64_t *roff = malloc(sizeof(int64_t) * (size_t)(R + S)), *soff = roff + R;
    if (roff == NULL) { adlmock_report("%s: out of host memory", fn); goto done; }
    for (int r = 0; r < R; r++) roff[r] = (flip ? R - 1 - r : r) * fr;
    for (int s = 0; s < S; s++) soff[s] = (flip ? S - 1 - s : s) * fs;
    if (j->pass == DNN_FWD) {
        for (int n = 0; n < Y->n; n++) for (int k = 0; k < Y->c; k++) for (int oh = 0; oh < Y->h; oh++) for (int owp = 0; owp < Y->w; owp++) {
            int g = k / Kg, len = 0, ih0 = oh * C->u - C->pad_h, iw0 = owp * C->v - C->pad_w;
            float acc = 0.0f;
            for (int c = 0; c < Cg; c++) {
                const float *xc = ix + n * (int64_t)X->ns + (int64_t)(g * Cg + c) * X->cs, *wc = iw + k * fk + c * fc;
                for (int r = 0; r < R; r++) {
                    int ih = ih0 + r * C->dil_h;
                    if (ih < 0 || ih >= X->h) continue;
                    const float *xr = xc + (int64_t)ih * X->hs, *wr = wc + roff[r];
                    for (int s = 0; s < S; s++) {
                        int iwp = iw0 + s * C->dil_w;
                        if (iwp < 0 || iwp >= X->w) continue;
                        TERM(xr[(int64_t)iwp * X->ws] * wr[soff[s]]);
                    }
                }
            }
            int64_t o = dnn_at(Y, n, k, oh, owp);
            y[o] = dnn_blend(j->alpha, RESULT(o), j->beta, &y[o]);
        }
    } else if (j->pass == DNN_BWD_DATA) {
        for (int n = 0; n < X->n; n++) for (int c = 0; c < X->c; c++) for (int ih = 0; ih < X->h; ih++) for (int iwp = 0; iwp < X->w; iwp++) {
            int g = c / Cg, cl = c % Cg, len = 0;
            float acc = 0.0f;
            for (int k = g * Kg; k < (g + 1) * Kg; k++) {
                const float *wk = iw + k * fk + cl * fc, *yk = iy + n * (int64_t)Y->ns + k * (int64_t)Y->cs;
                for (int r = 0; r < R; r++) {
                    int th = ih + C->pad_h - r * C->dil_h, oh = th; /* stride 1 (most calls) needs no division */
                    if (th < 0 || (C->u != 1 && (th % C->u != 0 || (oh = th / C->u) < 0)) || oh >= Y->h) continue;
                    const float *yr = yk + (int64_t)oh * Y->hs;
                    for (int s = 0; s < S; s++) {
                        int tw = iwp + C->pad_w - s * C->dil_w, owp = tw;
                        if (tw < 0 || (C->v != 1 && (tw % C->v != 0 || (owp = tw / C->v) < 0)) || owp >= Y->w) continue;
                        TERM(wk[roff[r] + soff[s]] * yr[(int64_t)owp * Y->ws]);
                    }
                }
            }
            int64_t o = dnn_at(X, n, c, ih, iwp);
            x[o] = dnn_blend(j->alpha, RESULT(o), j->beta, &x[o]);
        }
    } else {
        for (int k = 0; k < F->k; k++) for (int c = 0; c < Cg; c++) for (int r = 0; r < R; r++) for (int s = 0; s < S; s++) {
            int g = k / Kg, len = 0;
            float acc = 0.0f;
            const float *xc = ix + (int64_t)(g * Cg + c) * X->cs, *yk = iy + (int64_t)k * Y->cs;
            for (int n = 0; n < X->n; n++) for (int oh = 0; oh < Y->h; oh++) {
                int ih = oh * C->u - C->pad_h + r * C->dil_h;
                if (ih < 0 || ih >= X->h) continue;
                const float *xr = xc + n * (int64_t)X->ns + (int64_t)ih * X->hs, *yr = yk + n * (int64_t)Y->ns + (int64_t)oh * Y->hs;
                for (int owp = 0; owp < Y->w; owp++) {
                    int iwp = owp * C->v - C->pad_w + s * C->dil_w;
                    if (iwp < 0 || iwp >= X->w) continue;
                    TERM(xr[(int64_t)iwp * X->ws] * yr[(int64_t)owp * Y->ws]);
                }
            }
            int64_t o = k * fk + c * fc + roff[r] + soff[s];
            w[o] = dnn_blend(j->alpha, RESULT(o), j->beta, &w[o]);
        }
    }
    free(roff);
done:
    free(terms);
    free(ox);
    free(ow);
    free(oy);
}

static cudnnStatus_t convolve(enum dnn_pass pass, cudnnHandle_t h, const void *alpha, const struct dnn_tensor *x, CUdeviceptr px,
                              const struct dnn_filter *w, CUdeviceptr pw, const struct dnn_conv *c, int algo, void *ws, size_t wsBytes,
                              const void *beta, const struct dnn_tensor *y, CUdeviceptr py) {
    const char *fn = FN[pass];
    if (!dnn_handle_ok(h)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: not a cuDNN handle", fn);
    if (alpha == NULL || beta == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: alpha or beta is NULL", fn);
    cudnnStatus_t s = dnn_conv_shapes(fn, x, w, c, y);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    if (px == 0 || pw == 0 || py == 0) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: a data pointer is NULL", fn);
    int total = pass == DNN_FWD ? CUDNN_CONVOLUTION_FWD_ALGO_COUNT
              : pass == DNN_BWD_DATA ? CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT : CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
    if (algo < 0 || algo >= total) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: algo %d is not an enumerant", fn, algo);
    dnn_algo_traits t = dnn_algo(pass, algo, x, w, c, y);
    if (!t.supported) return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "%s: algo %d is not supported by the mock (its list gives status != 0)", fn, algo);
    if (wsBytes < t.workspace || (t.workspace > 0 && ws == NULL))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: workspace of %zu bytes at %p, algo %d needs %zu (x [%d, %d, %d, %d], w [%d, %d, %d, %d])",
                        fn, wsBytes, ws, algo, t.workspace, x->n, x->c, x->h, x->w, w->k, w->c, w->r, w->s);
    conv_job *j = malloc(sizeof *j);
    if (j == NULL) return dnn_fail(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, "%s: out of host memory", fn);
    *j = (conv_job){ pass, *x, *y, *w, *c, *(const float *)alpha, *(const float *)beta, px, pw, py, (CUdeviceptr)(uintptr_t)ws, t, 0 };
    CUresult r = adlmock_enqueue(h->stream, fn, conv_run, j, free);
    if (r != CUDA_SUCCESS) return dnn_fail(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER, "%s: the stream work failed (CUresult %d)", fn, (int)r);
    return CUDNN_STATUS_SUCCESS;
}

static CUdeviceptr dp(const void *p) { return (CUdeviceptr)(uintptr_t)p; }

DNN_EXPORT cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t h, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x,
                                                 const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnConvolutionDescriptor_t convDesc,
                                                 cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes,
                                                 const void *beta, const cudnnTensorDescriptor_t yDesc, void *y) {
    return convolve(DNN_FWD, h, alpha, xDesc, dp(x), wDesc, dp(w), convDesc, algo, workSpace, workSpaceSizeInBytes, beta, yDesc, dp(y));
}

DNN_EXPORT cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t h, const void *alpha, const cudnnFilterDescriptor_t wDesc, const void *w,
                                                      const cudnnTensorDescriptor_t dyDesc, const void *dy,
                                                      const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo,
                                                      void *workSpace, size_t workSpaceSizeInBytes, const void *beta,
                                                      const cudnnTensorDescriptor_t dxDesc, void *dx) {
    return convolve(DNN_BWD_DATA, h, alpha, dxDesc, dp(dx), wDesc, dp(w), convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dyDesc, dp(dy));
}

DNN_EXPORT cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t h, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x,
                                                        const cudnnTensorDescriptor_t dyDesc, const void *dy,
                                                        const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdFilterAlgo_t algo,
                                                        void *workSpace, size_t workSpaceSizeInBytes, const void *beta,
                                                        const cudnnFilterDescriptor_t dwDesc, void *dw) {
    return convolve(DNN_BWD_FILTER, h, alpha, xDesc, dp(x), dwDesc, dp(dw), convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dyDesc, dp(dy));
}
