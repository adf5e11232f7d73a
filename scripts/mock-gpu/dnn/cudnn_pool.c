/*
 * adl mock GPU — cudnnPoolingForward, cudnnPoolingBackward (ops library,
 * https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-ops-library.html), 2-D, float.
 *
 * x, dx: [N, C, H, W]; y, dy: [N, C, Ho, Wo] with Ho = 1 + (H + 2·pad_h - win_h) / stride_h (same
 * for W). Window of output (oh, ow): rows oh·stride_h - pad_h .. + win_h - 1, likewise columns;
 * positions outside x are the padding.
 *   MAX / MAX_DETERMINISTIC: the largest value of the window's positions inside x. NaN:
 *     CUDNN_PROPAGATE_NAN gives NaN when the window holds one, CUDNN_NOT_PROPAGATE_NAN skips NaNs.
 *   AVERAGE_COUNT_INCLUDE_PADDING: window sum / (win_h·win_w) — padding positions count;
 *   AVERAGE_COUNT_EXCLUDE_PADDING: window sum / (number of positions inside x).
 * Backward: dx = alpha·(Σ over outputs of the window's share of dy) + beta·dx, where max sends
 * dy to the position of the maximum — the docs do not say which one on ties: the mock takes the
 * first window position, in row-major order, whose x equals y (the forward's output, as passed) —
 * and average sends dy / divisor to every position inside x. Average reads neither x nor y.
 * Errors: BAD_PARAM for NULL pointers, unset descriptors, n/c or data types that differ, y dims
 * other than the formula's (dy like y, dx like x); NOT_SUPPORTED when a tensor's wStride is not 1
 * (as the docs list), or data that is not float.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dnn_internal.h"

typedef struct {
    int backward;
    struct dnn_pool p;
    struct dnn_tensor x, y, dy, dx;
    float alpha, beta;
    CUdeviceptr px, py, pdy, pdx;
} pool_job;

static const char *fn_of(int backward) { return backward ? "cudnnPoolingBackward" : "cudnnPoolingForward"; }

static int is_max(const struct dnn_pool *p) { return p->mode == CUDNN_POOLING_MAX || p->mode == CUDNN_POOLING_MAX_DETERMINISTIC; }

/* The window's first row/col and the divisor of the average modes. */
static int divisor(const struct dnn_pool *p, const struct dnn_tensor *x, int oh, int ow) {
    if (p->mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING) return p->win_h * p->win_w;
    int h0 = oh * p->stride_h - p->pad_h, w0 = ow * p->stride_w - p->pad_w, n = 0;
    for (int i = 0; i < p->win_h; i++) for (int k = 0; k < p->win_w; k++) {
        int h = h0 + i, w = w0 + k;
        if (h >= 0 && h < x->h && w >= 0 && w < x->w) n++;
    }
    return n;
}

static void pool_run(void *arg) {
    pool_job *j = arg;
    const char *fn = fn_of(j->backward);
    const struct dnn_pool *P = &j->p;
    const struct dnn_tensor *X = &j->x, *Y = &j->y;
    int need_xy = !j->backward || is_max(P);
    float *x = need_xy ? adlmock_device_ptr(j->px, dnn_tensor_bytes(X), fn) : NULL;
    float *y = need_xy ? adlmock_device_ptr(j->py, dnn_tensor_bytes(Y), fn) : NULL;
    if (need_xy && (x == NULL || y == NULL)) return;
    if (!j->backward) {
        for (int n = 0; n < Y->n; n++) for (int c = 0; c < Y->c; c++) for (int oh = 0; oh < Y->h; oh++) for (int ow = 0; ow < Y->w; ow++) {
            int h0 = oh * P->stride_h - P->pad_h, w0 = ow * P->stride_w - P->pad_w;
            float acc = is_max(P) ? -INFINITY : 0.0f;
            int nan = 0;
            for (int i = 0; i < P->win_h; i++) for (int k = 0; k < P->win_w; k++) {
                int h = h0 + i, w = w0 + k;
                if (h < 0 || h >= X->h || w < 0 || w >= X->w) continue;
                float v = x[dnn_at(X, n, c, h, w)];
                if (!is_max(P)) acc += v;
                else if (isnan(v)) nan = 1;
                else if (v > acc) acc = v;
            }
            if (is_max(P) && nan && P->nan == CUDNN_PROPAGATE_NAN) acc = NAN;
            if (!is_max(P)) {
                int d = divisor(P, X, oh, ow);
                acc = d > 0 ? acc / (float)d : 0.0f;
            }
            int64_t o = dnn_at(Y, n, c, oh, ow);
            y[o] = dnn_blend(j->alpha, acc, j->beta, &y[o]);
        }
        return;
    }
    float *dy = adlmock_device_ptr(j->pdy, dnn_tensor_bytes(&j->dy), fn);
    float *dx = adlmock_device_ptr(j->pdx, dnn_tensor_bytes(&j->dx), fn);
    if (dy == NULL || dx == NULL) return;
    const struct dnn_tensor *DX = &j->dx, *DY = &j->dy;
    size_t count = (size_t)DX->n * DX->c * DX->h * DX->w;
    float *g = calloc(count ? count : 1, sizeof(float));
    if (g == NULL) { adlmock_report("%s: out of host memory", fn); return; }
#define G(n, c, h, w) g[(((size_t)(n) * DX->c + (c)) * DX->h + (h)) * DX->w + (w)]
    for (int n = 0; n < DY->n; n++) for (int c = 0; c < DY->c; c++) for (int oh = 0; oh < DY->h; oh++) for (int ow = 0; ow < DY->w; ow++) {
        int h0 = oh * P->stride_h - P->pad_h, w0 = ow * P->stride_w - P->pad_w;
        float d = dy[dnn_at(DY, n, c, oh, ow)];
        if (is_max(P)) {
            float m = y[dnn_at(Y, n, c, oh, ow)];
            int found = 0;
            for (int i = 0; i < P->win_h && !found; i++) for (int k = 0; k < P->win_w && !found; k++) {
                int h = h0 + i, w = w0 + k;
                if (h < 0 || h >= X->h || w < 0 || w >= X->w) continue;
                float v = x[dnn_at(X, n, c, h, w)];
                if (v == m || (isnan(m) && isnan(v))) { G(n, c, h, w) += d; found = 1; }
            }
        } else {
            int div = divisor(P, DX, oh, ow);
            if (div == 0) continue;
            float share = d / (float)div;
            for (int i = 0; i < P->win_h; i++) for (int k = 0; k < P->win_w; k++) {
                int h = h0 + i, w = w0 + k;
                if (h >= 0 && h < DX->h && w >= 0 && w < DX->w) G(n, c, h, w) += share;
            }
        }
    }
    for (int n = 0; n < DX->n; n++) for (int c = 0; c < DX->c; c++) for (int h = 0; h < DX->h; h++) for (int w = 0; w < DX->w; w++) {
        int64_t o = dnn_at(DX, n, c, h, w);
        dx[o] = dnn_blend(j->alpha, G(n, c, h, w), j->beta, &dx[o]);
    }
#undef G
    free(g);
}

/* x: the pooling input shape, y: its output shape, both validated against the descriptor. */
static cudnnStatus_t check_pair(const char *fn, const struct dnn_pool *p, const struct dnn_tensor *x, const struct dnn_tensor *y) {
    if (!dnn_tensor_ok(x) || !dnn_tensor_ok(y)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: a tensor descriptor is NULL or not set", fn);
    if (x->type != y->type) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: x and y data types differ (%d, %d)", fn, x->type, y->type);
    if (x->type != CUDNN_DATA_FLOAT) return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "%s: the mock computes CUDNN_DATA_FLOAT only", fn);
    if (x->ws != 1 || y->ws != 1) return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "%s: wStride must be 1 (x %d, y %d)", fn, x->ws, y->ws);
    int o[4];
    cudnnStatus_t s = dnn_pool_out_dim(fn, p, x, o);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    int n = o[0], c = o[1], h = o[2], w = o[3];
    if (y->n != n || y->c != c || y->h != h || y->w != w)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: x [%d, %d, %d, %d] with window %dx%d, pad %dx%d, stride %dx%d gives [%d, %d, %d, %d], "
                        "y is [%d, %d, %d, %d]", fn, x->n, x->c, x->h, x->w, p->win_h, p->win_w, p->pad_h, p->pad_w, p->stride_h,
                        p->stride_w, n, c, h, w, y->n, y->c, y->h, y->w);
    return CUDNN_STATUS_SUCCESS;
}

static CUdeviceptr dp(const void *p) { return (CUdeviceptr)(uintptr_t)p; }

static cudnnStatus_t submit(cudnnHandle_t h, const pool_job *proto) {
    const char *fn = fn_of(proto->backward);
    pool_job *j = malloc(sizeof *j);
    if (j == NULL) return dnn_fail(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, "%s: out of host memory", fn);
    *j = *proto;
    CUresult r = adlmock_enqueue(h->stream, fn, pool_run, j, free);
    if (r != CUDA_SUCCESS) return dnn_fail(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER, "%s: the stream work failed (CUresult %d)", fn, (int)r);
    return CUDNN_STATUS_SUCCESS;
}

DNN_EXPORT cudnnStatus_t cudnnPoolingForward(cudnnHandle_t h, const cudnnPoolingDescriptor_t poolingDesc, const void *alpha,
                                             const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta,
                                             const cudnnTensorDescriptor_t yDesc, void *y) {
    const char *fn = "cudnnPoolingForward";
    if (!dnn_handle_ok(h) || !dnn_pool_ok(poolingDesc)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: bad handle or pooling descriptor", fn);
    if (!alpha || !beta || !x || !y) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: alpha, beta, x or y is NULL", fn);
    cudnnStatus_t s = check_pair(fn, poolingDesc, xDesc, yDesc);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    pool_job j = { .backward = 0, .p = *poolingDesc, .x = *xDesc, .y = *yDesc, .alpha = *(const float *)alpha,
                   .beta = *(const float *)beta, .px = dp(x), .py = dp(y) };
    return submit(h, &j);
}

DNN_EXPORT cudnnStatus_t cudnnPoolingBackward(cudnnHandle_t h, const cudnnPoolingDescriptor_t poolingDesc, const void *alpha,
                                              const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc,
                                              const void *dy, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta,
                                              const cudnnTensorDescriptor_t dxDesc, void *dx) {
    const char *fn = "cudnnPoolingBackward";
    if (!dnn_handle_ok(h) || !dnn_pool_ok(poolingDesc)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: bad handle or pooling descriptor", fn);
    if (!alpha || !beta || !dy || !dx || (is_max(poolingDesc) && (!x || !y)))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: alpha, beta, dy, dx (or x, y for max pooling) is NULL", fn);
    cudnnStatus_t s = check_pair(fn, poolingDesc, xDesc, yDesc);
    if (s == CUDNN_STATUS_SUCCESS) s = check_pair(fn, poolingDesc, dxDesc, dyDesc);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    pool_job j = { .backward = 1, .p = *poolingDesc, .x = *xDesc, .y = *yDesc, .dy = *dyDesc, .dx = *dxDesc,
                   .alpha = *(const float *)alpha, .beta = *(const float *)beta, .px = dp(x), .py = dp(y), .pdy = dp(dy), .pdx = dp(dx) };
    return submit(h, &j);
}
