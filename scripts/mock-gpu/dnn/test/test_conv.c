/* dnn_test: convolutions against PyTorch and hand-worked values; the algorithm lists, workspace
 * checks, non-determinism and TF32 of the mock's algorithms (cudnn_algo.c). */
#include <math.h>
#include <stdlib.h>
#include "dnn_test.h"
#include "fixtures.h"

enum { N = 2, C = 4, H = 7, W = 6, K = 6, CG = 2, R = 3, S = 3, HO = 3, WO = 8, G = 2 };
enum { NX = N * C * H * W, NW = K * CG * R * S, NY = N * K * HO * WO };
enum pass { FWD, BWD_DATA, BWD_FILTER };

typedef struct { cudnnTensorDescriptor_t x, y; cudnnFilterDescriptor_t w; cudnnConvolutionDescriptor_t c; } descs;

/* The fixture's geometry: pad (1, 2), stride (2, 1), dilation (2, 1), 2 groups. */
static descs make(cudnnConvolutionMode_t mode, cudnnMathType_t math) {
    descs d = { tensor(N, C, H, W), tensor(N, K, HO, WO), NULL, NULL };
    DNN_OK(cudnnCreateFilterDescriptor(&d.w));
    DNN_OK(cudnnSetFilter4dDescriptor(d.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, K, CG, R, S));
    DNN_OK(cudnnCreateConvolutionDescriptor(&d.c));
    DNN_OK(cudnnSetConvolution2dDescriptor(d.c, 1, 2, 2, 1, 2, 1, mode, CUDNN_DATA_FLOAT));
    DNN_OK(cudnnSetConvolutionGroupCount(d.c, G));
    DNN_OK(cudnnSetConvolutionMathType(d.c, math));
    return d;
}

static void drop(descs d) {
    DNN_OK(cudnnDestroyTensorDescriptor(d.x));
    DNN_OK(cudnnDestroyTensorDescriptor(d.y));
    DNN_OK(cudnnDestroyFilterDescriptor(d.w));
    DNN_OK(cudnnDestroyConvolutionDescriptor(d.c));
}

/* Runs one pass with algo and exactly the workspace the mock asks for; x, w, y as in the forward. */
static cudnnStatus_t run(cudnnHandle_t h, enum pass p, int algo, descs d, float *x, float *w, float *y) {
    size_t ws = 0;
    cudnnStatus_t s = p == FWD ? cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.c, d.y, algo, &ws)
                    : p == BWD_DATA ? cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.c, d.x, algo, &ws)
                    : cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.c, d.w, algo, &ws);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    float *wsp = ws ? dev_floats(NULL, (ws + 3) / 4) : NULL;
    float one = 1, zero = 0;
    s = p == FWD ? cudnnConvolutionForward(h, &one, d.x, x, d.w, w, d.c, algo, wsp, ws, &zero, d.y, y)
      : p == BWD_DATA ? cudnnConvolutionBackwardData(h, &one, d.w, w, d.y, y, d.c, algo, wsp, ws, &zero, d.x, x)
      : cudnnConvolutionBackwardFilter(h, &one, d.x, x, d.y, y, d.c, algo, wsp, ws, &zero, d.w, w);
    sync_stream();
    if (wsp) dev_free(wsp);
    return s;
}

/* 1x1x3x3 input 1..9, 2x2 filter [[1, 2], [3, 4]]: worked by hand. */
static void hand_case(cudnnHandle_t h) {
    float xs[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, ws[4] = { 1, 2, 3, 4 }, nan4[4] = { NAN, NAN, NAN, NAN }, ones[4] = { 1, 1, 1, 1 };
    const float xcorr[4] = { 37, 47, 67, 77 }, conv[4] = { 23, 33, 53, 63 }, blended[4] = { 75, 95, 135, 155 };
    float *x = dev_floats(xs, 9), *w = dev_floats(ws, 4), *y = dev_floats(nan4, 4);
    for (int mode = 0; mode < 2; mode++) {
        descs d = { tensor(1, 1, 3, 3), tensor(1, 1, 2, 2), NULL, NULL };
        DNN_OK(cudnnCreateFilterDescriptor(&d.w));
        DNN_OK(cudnnSetFilter4dDescriptor(d.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 1, 1, 2, 2));
        DNN_OK(cudnnCreateConvolutionDescriptor(&d.c));
        DNN_OK(cudnnSetConvolution2dDescriptor(d.c, 0, 0, 1, 1, 1, 1, mode ? CUDNN_CROSS_CORRELATION : CUDNN_CONVOLUTION, CUDNN_DATA_FLOAT));
        DNN_OK(cudnnSetConvolutionMathType(d.c, CUDNN_FMA_MATH));
        memcpy(y, nan4, sizeof nan4);
        DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, d, x, w, y)); /* beta = 0: the NaNs in y must not show */
        close_to(mode ? "hand cross-correlation" : "hand convolution (flipped filter)", y, mode ? xcorr : conv, 4, 0, 0);
        if (mode) {
            memcpy(y, ones, sizeof ones);
            float alpha = 2, beta = 1;
            size_t wsb = 0;
            DNN_OK(cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.c, d.y, 0, &wsb));
            float *wsp = dev_floats(NULL, (wsb + 3) / 4);
            DNN_OK(cudnnConvolutionForward(h, &alpha, d.x, x, d.w, w, d.c, 0, wsp, wsb, &beta, d.y, y));
            sync_stream();
            close_to("hand alpha=2, beta=1 blend", y, blended, 4, 0, 0);
            dev_free(wsp);
        }
        drop(d);
    }
    dev_free(x); dev_free(w); dev_free(y);
}

void test_conv(cudnnHandle_t h) {
    hand_case(h);
    descs d = make(CUDNN_CROSS_CORRELATION, CUDNN_FMA_MATH);
    int o[4];
    DNN_OK(cudnnGetConvolution2dForwardOutputDim(d.c, d.x, d.w, &o[0], &o[1], &o[2], &o[3]));
    CHECK(o[0] == N && o[1] == K && o[2] == HO && o[3] == WO, "output dim [%d, %d, %d, %d], want [2, 6, 3, 8]", o[0], o[1], o[2], o[3]);
    float *x = dev_floats(CONV_X, NX), *w = dev_floats(CONV_W, NW), *y = dev_floats(NULL, NY);
    DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, d, x, w, y));
    close_to("conv forward (groups 2, pad 1x2, stride 2x1, dilation 2x1)", y, CONV_Y, NY, 1e-5, 1e-5);
    float *dy = dev_floats(CONV_DY, NY), *dx = dev_floats(NULL, NX), *dw = dev_floats(NULL, NW);
    DNN_OK(run(h, BWD_DATA, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, d, dx, w, dy));
    close_to("conv backward data", dx, CONV_DX, NX, 1e-5, 1e-5);
    DNN_OK(run(h, BWD_FILTER, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, d, x, dw, dy));
    close_to("conv backward filter", dw, CONV_DW, NW, 1e-5, 1e-5);
    cudnnTensorDescriptor_t bad = tensor(N, K, HO + 1, WO);
    float one = 1, zero = 0;
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnConvolutionForward(h, &one, d.x, x, d.w, w, d.c, 0, NULL, 0, &zero, bad, y));
    DNN_OK(cudnnDestroyTensorDescriptor(bad));
    drop(d);
    /* The same forward with x in NHWC (cudnnSetTensor4dDescriptor strides) and w in KRSC (NHWC filter). */
    descs e = make(CUDNN_CROSS_CORRELATION, CUDNN_FMA_MATH);
    DNN_OK(cudnnSetTensor4dDescriptor(e.x, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, N, C, H, W));
    DNN_OK(cudnnSetFilter4dDescriptor(e.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, K, CG, R, S));
    static float xh[NX], wh[NW];
    for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (int h = 0; h < H; h++) for (int v = 0; v < W; v++)
        xh[((n * H + h) * W + v) * C + c] = CONV_X[((n * C + c) * H + h) * W + v];
    for (int k = 0; k < K; k++) for (int c = 0; c < CG; c++) for (int r = 0; r < R; r++) for (int s = 0; s < S; s++)
        wh[((k * R + r) * S + s) * CG + c] = CONV_W[((k * CG + c) * R + r) * S + s];
    float *xn = dev_floats(xh, NX), *wn = dev_floats(wh, NW);
    DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, e, xn, wn, y));
    close_to("conv forward, x NHWC and filter KRSC", y, CONV_Y, NY, 1e-5, 1e-5);
    dev_free(xn); dev_free(wn);
    drop(e);
    d = make(CUDNN_CONVOLUTION, CUDNN_FMA_MATH);
    DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, d, x, w, y));
    close_to("CUDNN_CONVOLUTION forward (flipped filter)", y, CONV_Y_FLIP, NY, 1e-5, 1e-5);
    DNN_OK(run(h, BWD_FILTER, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, d, x, dw, dy));
    close_to("CUDNN_CONVOLUTION backward filter", dw, CONV_DW_FLIP, NW, 1e-5, 1e-5);
    drop(d);
    dev_free(x); dev_free(w); dev_free(y); dev_free(dy); dev_free(dx); dev_free(dw);
}

/* One list: the first entry is a wrong choice, some entry is status 0 + deterministic + FMA, the
 * memory of each usable entry is what the workspace query says. */
static void check_list(cudnnHandle_t h, const char *what, enum pass p, descs d, const cudnnConvolutionFwdAlgoPerf_t *perf, int n) {
    CHECK(n >= 4, "%s: %d algorithms", what, n);
    CHECK(perf[0].determinism == CUDNN_NON_DETERMINISTIC || perf[0].mathType != CUDNN_FMA_MATH,
          "%s: the first entry must be a wrong choice (non-deterministic or not FMA)", what);
    int good = 0, unsupported = 0, nondet = 0, tensor_op = 0;
    for (int i = 0; i < n; i++) {
        if (perf[i].status != CUDNN_STATUS_SUCCESS) { unsupported++; continue; }
        good += perf[i].determinism == CUDNN_DETERMINISTIC && perf[i].mathType == CUDNN_FMA_MATH;
        nondet += perf[i].determinism == CUDNN_NON_DETERMINISTIC;
        tensor_op += perf[i].mathType == CUDNN_TENSOR_OP_MATH || perf[i].mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
        size_t ws = 0;
        DNN_OK(p == FWD ? cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.c, d.y, perf[i].algo, &ws)
               : p == BWD_DATA ? cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.c, d.x, perf[i].algo, &ws)
               : cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.c, d.w, perf[i].algo, &ws));
        CHECK(ws == perf[i].memory, "%s: algo %d lists %zu bytes, the query says %zu", what, perf[i].algo, perf[i].memory, ws);
    }
    CHECK(good >= 1 && unsupported >= 1 && nondet >= 1 && tensor_op >= 1, "%s: good %d, unsupported %d, non-deterministic %d, tensor-op %d",
          what, good, unsupported, nondet, tensor_op);
}

static float tf32(float v) { /* round to nearest even at 13 dropped mantissa bits: the TF32 format, worked independently */
    uint32_t u;
    memcpy(&u, &v, 4);
    uint32_t low = u & 0x1fff, keep = u & ~0x1fffu;
    if (low > 0x1000 || (low == 0x1000 && (keep & 0x2000))) keep += 0x2000;
    memcpy(&v, &keep, 4);
    return v;
}

void test_algorithms(cudnnHandle_t h) {
    descs d = make(CUDNN_CROSS_CORRELATION, CUDNN_FMA_MATH);
    cudnnConvolutionFwdAlgoPerf_t perf[8], found[8];
    int n = 0, m = 0;
    DNN_OK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.c, d.y, 8, &n, perf));
    check_list(h, "forward _v7", FWD, d, perf, n);
    DNN_OK(cudnnFindConvolutionForwardAlgorithm(h, d.x, d.w, d.c, d.y, 8, &m, found));
    int same = m == n;
    for (int i = 0; same && i < n; i++)
        same = perf[i].algo == found[i].algo && perf[i].status == found[i].status && perf[i].memory == found[i].memory
            && perf[i].determinism == found[i].determinism && perf[i].mathType == found[i].mathType;
    CHECK(same, "cudnnFind* lists what _v7 lists");
    DNN_OK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.y, d.c, d.x, 8, &n, perf));
    check_list(h, "backward data _v7", BWD_DATA, d, perf, n);
    DNN_OK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x, d.y, d.c, d.w, 8, &n, perf));
    check_list(h, "backward filter _v7", BWD_FILTER, d, perf, n);
    DNN_OK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x, d.y, d.c, d.w, 2, &n, perf));
    CHECK(n == 2, "requestedAlgoCount 2 returns %d", n);

    float *x = dev_floats(CONV_X, NX), *w = dev_floats(CONV_W, NW), *y = dev_floats(NULL, NY);
    float *dy = dev_floats(CONV_DY, NY), *a = dev_floats(NULL, NW), *b = dev_floats(NULL, NW);
    size_t ws = 0;
    float one = 1, zero = 0;
    DNN_OK(cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.c, d.y, 0, &ws));
    CHECK(ws > 0, "IMPLICIT_GEMM asks for a workspace in the mock (%zu bytes)", ws);
    float *wsp = dev_floats(NULL, ws / 4 + 1);
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnConvolutionForward(h, &one, d.x, x, d.w, w, d.c, 0, wsp, ws - 1, &zero, d.y, y));
    DNN_IS(CUDNN_STATUS_NOT_SUPPORTED, cudnnConvolutionForward(h, &one, d.x, x, d.w, w, d.c, CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, wsp, ws,
                                                               &zero, d.y, y));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnConvolutionForward(h, &one, d.x, x, d.w, w, d.c, 99, wsp, ws, &zero, d.y, y));
    dev_free(wsp);

    /* Non-deterministic algorithms differ between two identical calls; deterministic ones do not. */
    DNN_OK(run(h, BWD_FILTER, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, d, x, a, dy));
    DNN_OK(run(h, BWD_FILTER, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, d, x, b, dy));
    CHECK(!bitwise_equal(a, b, NW), "backward filter ALGO_3 (non-deterministic) gave the same bits twice");
    close_to("backward filter ALGO_3 still right", a, CONV_DW, NW, 1e-5, 1e-5);
    DNN_OK(run(h, BWD_FILTER, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, d, x, a, dy));
    DNN_OK(run(h, BWD_FILTER, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, d, x, b, dy));
    CHECK(bitwise_equal(a, b, NW), "backward filter ALGO_1 (deterministic) differs between two calls");
    float *dx1 = dev_floats(NULL, NX), *dx2 = dev_floats(NULL, NX);
    DNN_OK(run(h, BWD_DATA, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, d, dx1, w, dy));
    DNN_OK(run(h, BWD_DATA, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, d, dx2, w, dy));
    CHECK(!bitwise_equal(dx1, dx2, NX), "backward data ALGO_0 (non-deterministic) gave the same bits twice");

    /* TF32: a tensor-op algorithm, or CUDNN_DEFAULT_MATH on the descriptor, gives exactly the FMA
     * result of TF32-rounded inputs — and not the float32 one. */
    float *yf = dev_floats(NULL, NY), *yt = dev_floats(NULL, NY), *yd = dev_floats(NULL, NY);
    float xr[NX], wr[NW];
    for (int i = 0; i < NX; i++) xr[i] = tf32(CONV_X[i]);
    for (int i = 0; i < NW; i++) wr[i] = tf32(CONV_W[i]);
    float *xt = dev_floats(xr, NX), *wt = dev_floats(wr, NW);
    DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, d, xt, wt, yf));
    DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, d, x, w, yt));
    CHECK(bitwise_equal(yf, yt, NY), "IMPLICIT_PRECOMP_GEMM (TENSOR_OP_MATH) is not the FMA result of TF32 inputs");
    DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, d, x, w, y));
    CHECK(!bitwise_equal(y, yt, NY), "the TF32 result equals the float32 one (the test data should tell them apart)");
    descs dd = make(CUDNN_CROSS_CORRELATION, CUDNN_DEFAULT_MATH);
    DNN_OK(run(h, FWD, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, dd, x, w, yd));
    CHECK(bitwise_equal(yf, yd, NY), "CUDNN_DEFAULT_MATH on the descriptor does not round to TF32 (cc 8.0 permits it)");
    drop(dd);
    drop(d);
    float *all[] = { x, w, y, dy, a, b, dx1, dx2, yf, yt, yd, xt, wt };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) dev_free(all[i]);
}
