/*
 * adl mock GPU — convolution algorithm queries and workspace sizes (cnn library,
 * https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-cnn-library.html):
 * cudnnGetConvolution{Forward,BackwardData,BackwardFilter}Algorithm_v7, cudnnFind*Algorithm,
 * cudnnGet*WorkspaceSize, cudnnGet*AlgorithmMaxCount.
 *
 * The mock's algorithm lists are fixed and deterministic, and they are built so that choosing
 * wrongly is observable (issue 13, "Make #5 testable"): the FIRST entry of each list is either
 * non-deterministic or a tensor-op (TF32) one, one entry has status NOT_SUPPORTED, and the only
 * entries that are status 0 + CUDNN_DETERMINISTIC + CUDNN_FMA_MATH come later. What the flags do
 * when the algorithm runs (cudnn_conv.c):
 *   - mathType other than CUDNN_FMA_MATH (in the list or on the descriptor): inputs are rounded to
 *     TF32 (the docs: CUDNN_DEFAULT_MATH permits TF32 on compute capability 8.0, the mock's);
 *   - CUDNN_NON_DETERMINISTIC: every reduction starts at a position that changes from one run to
 *     the next, so float sums differ in their last bits between two identical calls.
 * Every listed entry's "time" increases down the list, so cudnnFind* (sorted by time) returns the
 * same order as the _v7 heuristics.
 */
#include <stdatomic.h>
#include <string.h>
#include "dnn_internal.h"

typedef struct { int algo; cudnnStatus_t status; cudnnDeterminism_t det; cudnnMathType_t math; int ws_units; } entry;

/* ws_units: 0 = no workspace, u > 0 = u × (256 + 4 × the reduction length) bytes. */
static const entry FWD[] = {
    { CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH, 2 },
    { CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, CUDNN_STATUS_SUCCESS, CUDNN_NON_DETERMINISTIC, CUDNN_FMA_MATH, 3 },
    { CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, CUDNN_STATUS_NOT_SUPPORTED, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, 0 },
    { CUDNN_CONVOLUTION_FWD_ALGO_GEMM, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_DEFAULT_MATH, 4 },
    { CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, 1 },
    { CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, 5 },
};
static const entry BWD_DATA[] = {
    { CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_STATUS_SUCCESS, CUDNN_NON_DETERMINISTIC, CUDNN_FMA_MATH, 0 },
    { CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH, 2 },
    { CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT, CUDNN_STATUS_NOT_SUPPORTED, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, 0 },
    { CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, 1 },
    { CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_DEFAULT_MATH, 3 },
};
static const entry BWD_FILTER[] = {
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, CUDNN_STATUS_SUCCESS, CUDNN_NON_DETERMINISTIC, CUDNN_FMA_MATH, 2 },
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, CUDNN_STATUS_SUCCESS, CUDNN_NON_DETERMINISTIC, CUDNN_TENSOR_OP_MATH, 0 },
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC,
      CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, 3 },
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD, CUDNN_STATUS_NOT_SUPPORTED, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, 0 },
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, 1 },
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING, CUDNN_STATUS_SUCCESS, CUDNN_DETERMINISTIC, CUDNN_DEFAULT_MATH, 4 },
};

static const entry *list_of(enum dnn_pass p, int *count, int *algo_count) {
    switch (p) {
    case DNN_FWD: *count = sizeof FWD / sizeof *FWD; *algo_count = CUDNN_CONVOLUTION_FWD_ALGO_COUNT; return FWD;
    case DNN_BWD_DATA: *count = sizeof BWD_DATA / sizeof *BWD_DATA; *algo_count = CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT; return BWD_DATA;
    default: *count = sizeof BWD_FILTER / sizeof *BWD_FILTER; *algo_count = CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT; return BWD_FILTER;
    }
}

static size_t workspace_of(const entry *e, const struct dnn_filter *w) {
    return e->ws_units == 0 ? 0 : (size_t)e->ws_units * (256 + 4 * (size_t)w->c * w->r * w->s);
}

static atomic_uint rotation;
unsigned dnn_next_rotation(void) { return atomic_fetch_add(&rotation, 1u) * 7u + 1u; }

dnn_algo_traits dnn_algo(enum dnn_pass pass, int algo, const struct dnn_tensor *x, const struct dnn_filter *w,
                         const struct dnn_conv *c, const struct dnn_tensor *y) {
    (void)x; (void)y;
    int n, total;
    const entry *l = list_of(pass, &n, &total);
    dnn_algo_traits t = { 0, 0, 0, 0 };
    for (int i = 0; i < n; i++) {
        if (l[i].algo != algo || l[i].status != CUDNN_STATUS_SUCCESS) continue;
        t.supported = 1;
        t.tf32 = l[i].math != CUDNN_FMA_MATH || c->math != CUDNN_FMA_MATH;
        t.nondeterministic = l[i].det == CUDNN_NON_DETERMINISTIC;
        t.workspace = workspace_of(&l[i], w);
    }
    return t;
}

static const char *PASS_NAME[] = { "Forward", "BackwardData", "BackwardFilter" };

cudnnStatus_t dnn_conv_shapes(const char *fn, const struct dnn_tensor *x, const struct dnn_filter *w,
                              const struct dnn_conv *c, const struct dnn_tensor *y) {
    if (!dnn_tensor_ok(x) || !dnn_filter_ok(w) || !dnn_conv_ok(c) || !dnn_tensor_ok(y))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: a tensor, filter or convolution descriptor is NULL or not set", fn);
    if (x->type != w->type || x->type != y->type)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: data types differ (x %d, w %d, y %d)", fn, x->type, w->type, y->type);
    if (x->type != CUDNN_DATA_FLOAT)
        return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "%s: the mock computes CUDNN_DATA_FLOAT only, got data type %d", fn, x->type);
    int o[4];
    cudnnStatus_t s = dnn_conv_out_dim(fn, c, x, w, o);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    int n = o[0], k = o[1], h = o[2], wd = o[3];
    if (w->k % c->groups != 0)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: filter count %d is not a multiple of the group count %d", fn, w->k, c->groups);
    if (y->n != n || y->c != k || y->h != h || y->w != wd)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: y is [%d, %d, %d, %d] but x [%d, %d, %d, %d] with filter [%d, %d, %d, %d], "
                        "pad %dx%d, stride %dx%d, dilation %dx%d, groups %d gives [%d, %d, %d, %d]", fn, y->n, y->c, y->h, y->w,
                        x->n, x->c, x->h, x->w, w->k, w->c, w->r, w->s, c->pad_h, c->pad_w, c->u, c->v, c->dil_h, c->dil_w,
                        c->groups, n, k, h, wd);
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t list(enum dnn_pass pass, const char *fn, cudnnHandle_t h, const struct dnn_tensor *x, const struct dnn_filter *w,
                          const struct dnn_conv *c, const struct dnn_tensor *y, int requested, int *returned,
                          cudnnConvolutionFwdAlgoPerf_t *perf) {
    if (!dnn_handle_ok(h)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: not a cuDNN handle", fn);
    if (returned == NULL || perf == NULL || requested <= 0)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: requestedAlgoCount %d (must be > 0) or a NULL out pointer", fn, requested);
    cudnnStatus_t s = dnn_conv_shapes(fn, x, w, c, y);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    int n, total;
    const entry *l = list_of(pass, &n, &total);
    int m = requested < n ? requested : n;
    memset(perf, 0, sizeof(*perf) * (size_t)m);
    for (int i = 0; i < m; i++) {
        perf[i] = (cudnnConvolutionFwdAlgoPerf_t){ l[i].algo, l[i].status, l[i].status == CUDNN_STATUS_SUCCESS ? 0.125f * (i + 1) : -1.0f,
                                                   l[i].status == CUDNN_STATUS_SUCCESS ? workspace_of(&l[i], w) : 0,
                                                   l[i].det, l[i].math, { 0, 0, 0 } };
    }
    *returned = m;
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t workspace(enum dnn_pass pass, const char *fn, cudnnHandle_t h, const struct dnn_tensor *x, const struct dnn_filter *w,
                               const struct dnn_conv *c, const struct dnn_tensor *y, int algo, size_t *bytes) {
    if (!dnn_handle_ok(h) || bytes == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: not a cuDNN handle, or sizeInBytes is NULL", fn);
    cudnnStatus_t s = dnn_conv_shapes(fn, x, w, c, y);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    int n, total;
    list_of(pass, &n, &total);
    if (algo < 0 || algo >= total) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: algo %d is not a cudnnConvolution%sAlgo_t", fn, algo,
                                                   pass == DNN_FWD ? "Fwd" : pass == DNN_BWD_DATA ? "BwdData" : "BwdFilter");
    dnn_algo_traits t = dnn_algo(pass, algo, x, w, c, y);
    if (!t.supported) return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "%s: the mock does not support algo %d for convolution %s", fn, algo,
                                      PASS_NAME[pass]);
    *bytes = t.workspace;
    return CUDNN_STATUS_SUCCESS;
}

#define LIST_FN(name, pass, A, B, D, C)                                                                      \
    DNN_EXPORT cudnnStatus_t name(cudnnHandle_t h, A a, B b, const cudnnConvolutionDescriptor_t c, D d,     \
                                  const int requested, int *returned, cudnnConvolutionFwdAlgoPerf_t *perf) { \
        C;                                                                                                   \
    }
/* _v7 heuristics and cudnnFind* (same list: the mock's "times" already increase down the list).
 * Forward: (xDesc, wDesc, convDesc, yDesc); BackwardData: (wDesc, dyDesc, convDesc, dxDesc);
 * BackwardFilter: (xDesc, dyDesc, convDesc, dwDesc). */
LIST_FN(cudnnGetConvolutionForwardAlgorithm_v7, DNN_FWD, const cudnnTensorDescriptor_t, const cudnnFilterDescriptor_t,
        const cudnnTensorDescriptor_t, return list(DNN_FWD, "cudnnGetConvolutionForwardAlgorithm_v7", h, a, b, c, d, requested, returned, perf))
LIST_FN(cudnnFindConvolutionForwardAlgorithm, DNN_FWD, const cudnnTensorDescriptor_t, const cudnnFilterDescriptor_t,
        const cudnnTensorDescriptor_t, return list(DNN_FWD, "cudnnFindConvolutionForwardAlgorithm", h, a, b, c, d, requested, returned, perf))
LIST_FN(cudnnGetConvolutionBackwardDataAlgorithm_v7, DNN_BWD_DATA, const cudnnFilterDescriptor_t, const cudnnTensorDescriptor_t,
        const cudnnTensorDescriptor_t, return list(DNN_BWD_DATA, "cudnnGetConvolutionBackwardDataAlgorithm_v7", h, d, a, c, b, requested, returned, perf))
LIST_FN(cudnnFindConvolutionBackwardDataAlgorithm, DNN_BWD_DATA, const cudnnFilterDescriptor_t, const cudnnTensorDescriptor_t,
        const cudnnTensorDescriptor_t, return list(DNN_BWD_DATA, "cudnnFindConvolutionBackwardDataAlgorithm", h, d, a, c, b, requested, returned, perf))
LIST_FN(cudnnGetConvolutionBackwardFilterAlgorithm_v7, DNN_BWD_FILTER, const cudnnTensorDescriptor_t, const cudnnTensorDescriptor_t,
        const cudnnFilterDescriptor_t, return list(DNN_BWD_FILTER, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", h, a, d, c, b, requested, returned, perf))
LIST_FN(cudnnFindConvolutionBackwardFilterAlgorithm, DNN_BWD_FILTER, const cudnnTensorDescriptor_t, const cudnnTensorDescriptor_t,
        const cudnnFilterDescriptor_t, return list(DNN_BWD_FILTER, "cudnnFindConvolutionBackwardFilterAlgorithm", h, a, d, c, b, requested, returned, perf))

DNN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t h, const cudnnTensorDescriptor_t x, const cudnnFilterDescriptor_t w,
                                                                 const cudnnConvolutionDescriptor_t c, const cudnnTensorDescriptor_t y,
                                                                 cudnnConvolutionFwdAlgo_t algo, size_t *bytes) {
    return workspace(DNN_FWD, "cudnnGetConvolutionForwardWorkspaceSize", h, x, w, c, y, algo, bytes);
}
DNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t h, const cudnnFilterDescriptor_t w,
                                                                      const cudnnTensorDescriptor_t dy, const cudnnConvolutionDescriptor_t c,
                                                                      const cudnnTensorDescriptor_t dx, cudnnConvolutionBwdDataAlgo_t algo,
                                                                      size_t *bytes) {
    return workspace(DNN_BWD_DATA, "cudnnGetConvolutionBackwardDataWorkspaceSize", h, dx, w, c, dy, algo, bytes);
}
DNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t h, const cudnnTensorDescriptor_t x,
                                                                        const cudnnTensorDescriptor_t dy, const cudnnConvolutionDescriptor_t c,
                                                                        const cudnnFilterDescriptor_t dw, cudnnConvolutionBwdFilterAlgo_t algo,
                                                                        size_t *bytes) {
    return workspace(DNN_BWD_FILTER, "cudnnGetConvolutionBackwardFilterWorkspaceSize", h, x, dw, c, dy, algo, bytes);
}

/* cudnnGet*AlgorithmMaxCount: the most entries a _v7 / Find call can return (the mock's list length). */
static cudnnStatus_t max_count(enum dnn_pass p, cudnnHandle_t h, int *count) {
    if (!dnn_handle_ok(h) || count == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolution%sAlgorithmMaxCount: bad argument", PASS_NAME[p]);
    int n, total;
    list_of(p, &n, &total);
    *count = n;
    return CUDNN_STATUS_SUCCESS;
}
DNN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t h, int *count) { return max_count(DNN_FWD, h, count); }
DNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle_t h, int *count) { return max_count(DNN_BWD_DATA, h, count); }
DNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnnHandle_t h, int *count) { return max_count(DNN_BWD_FILTER, h, count); }
