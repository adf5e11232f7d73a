/* dnn_test: batch norm (training step, inference, backward) and pooling against PyTorch, plus
 * hand-worked tie, NaN and padding cases. */
#include <math.h>
#include <stdlib.h>
#include "dnn_test.h"
#include "fixtures.h"

enum { BN_N = 2 * 3 * 3 * 2, BN_C = 3 };

void test_bn(cudnnHandle_t h) {
    cudnnTensorDescriptor_t xd = tensor(2, 3, 3, 2), pd = tensor(1, 3, 1, 1), bad = tensor(1, 3, 2, 1);
    float *x = dev_floats(BN_X, BN_N), *y = dev_floats(NULL, BN_N), *g = dev_floats(BN_GAMMA, BN_C), *b = dev_floats(BN_BETA, BN_C);
    float *rm = dev_floats(BN_RM0, BN_C), *rv = dev_floats(BN_RV0, BN_C), *sm = dev_floats(NULL, BN_C), *si = dev_floats(NULL, BN_C);
    float one = 1, zero = 0;
    DNN_OK(cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd, x, xd, y, pd, g, b, 0.1, rm, rv, 1e-5, sm, si));
    sync_stream();
    close_to("BN training y", y, BN_Y, BN_N, 1e-5, 1e-5);
    close_to("BN running mean (factor 0.1)", rm, BN_RM1, BN_C, 1e-6, 1e-6);
    close_to("BN running variance (unbiased batch variance)", rv, BN_RV1, BN_C, 1e-6, 1e-6);
    close_to("BN saved mean", sm, BN_SAVE_MEAN, BN_C, 1e-6, 1e-6);
    close_to("BN saved inverse std 1/sqrt(var_biased + eps)", si, BN_SAVE_INV, BN_C, 1e-6, 1e-6);

    float *rm0 = dev_floats(BN_RM0, BN_C), *rv0 = dev_floats(BN_RV0, BN_C);
    DNN_OK(cudnnBatchNormalizationForwardInference(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd, x, xd, y, pd, g, b, rm0, rv0, 1e-5));
    sync_stream();
    close_to("BN inference y", y, BN_Y_INFER, BN_N, 1e-5, 1e-5);

    float *dy = dev_floats(BN_DY, BN_N), *dx = dev_floats(NULL, BN_N), *dg = dev_floats(NULL, BN_C), *db = dev_floats(NULL, BN_C);
    DNN_OK(cudnnBatchNormalizationBackward(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, xd, x, xd, dy, xd, dx, pd, g, dg, db,
                                           1e-5, sm, si));
    sync_stream();
    close_to("BN backward dx", dx, BN_DX, BN_N, 1e-5, 1e-5);
    close_to("BN backward dgamma", dg, BN_DGAMMA, BN_C, 1e-5, 1e-5);
    close_to("BN backward dbeta", db, BN_DBETA, BN_C, 1e-5, 1e-5);
    /* savedMean/savedInvVariance NULL: recomputed from x; betaDataDiff = betaParamDiff = 1 add the
     * prior dx, dgamma, dbeta (all ones here). */
    float ones[BN_C] = { 1, 1, 1 }, want_dg[BN_C], want_db[BN_C], want_dx[BN_N];
    for (int c = 0; c < BN_C; c++) { want_dg[c] = BN_DGAMMA[c] + 1; want_db[c] = BN_DBETA[c] + 1; }
    for (int i = 0; i < BN_N; i++) { want_dx[i] = BN_DX[i] + 1; dx[i] = 1; }
    memcpy(dg, ones, sizeof ones);
    memcpy(db, ones, sizeof ones);
    DNN_OK(cudnnBatchNormalizationBackward(h, CUDNN_BATCHNORM_SPATIAL, &one, &one, &one, &one, xd, x, xd, dy, xd, dx, pd, g, dg, db,
                                           1e-5, NULL, NULL));
    sync_stream();
    close_to("BN backward dx + prior (no saved statistics, betaDataDiff 1)", dx, want_dx, BN_N, 1e-5, 1e-5);
    close_to("BN backward dgamma + prior (betaParamDiff 1)", dg, want_dg, BN_C, 1e-5, 1e-5);
    close_to("BN backward dbeta + prior (betaParamDiff 1)", db, want_db, BN_C, 1e-5, 1e-5);

    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd, x, xd, y, pd, g, b,
                                                                          0.1, rm, rv, -1.0, sm, si));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd, x, xd, y, pd, g, b,
                                                                          0.1, rm, NULL, 1e-5, sm, si));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd, x, xd, y, bad, g, b,
                                                                          0.1, rm, rv, 1e-5, sm, si));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnBatchNormalizationBackward(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, xd, x, xd, dy, xd,
                                                                   dx, pd, g, dg, db, 1e-5, sm, NULL));
    float *all[] = { x, y, g, b, rm, rv, sm, si, rm0, rv0, dy, dx, dg, db };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) dev_free(all[i]);
    DNN_OK(cudnnDestroyTensorDescriptor(xd));
    DNN_OK(cudnnDestroyTensorDescriptor(pd));
    DNN_OK(cudnnDestroyTensorDescriptor(bad));
}

static cudnnPoolingDescriptor_t pool(cudnnPoolingMode_t mode, cudnnNanPropagation_t nan, int win, int pad, int stride) {
    cudnnPoolingDescriptor_t p;
    DNN_OK(cudnnCreatePoolingDescriptor(&p));
    DNN_OK(cudnnSetPooling2dDescriptor(p, mode, nan, win, win, pad, pad, stride, stride));
    return p;
}

/* Forward then backward of one mode on xd/yd; results land in y and dx. */
static void pool_pass(cudnnHandle_t h, cudnnPoolingDescriptor_t p, cudnnTensorDescriptor_t xd, float *x, cudnnTensorDescriptor_t yd,
                      float *y, float *dy, float *dx) {
    float one = 1, zero = 0;
    DNN_OK(cudnnPoolingForward(h, p, &one, xd, x, &zero, yd, y));
    DNN_OK(cudnnPoolingBackward(h, p, &one, yd, y, yd, dy, xd, x, &zero, xd, dx));
    sync_stream();
}

void test_pool(cudnnHandle_t h) {
    cudnnTensorDescriptor_t xd = tensor(1, 2, 5, 5), yd = tensor(1, 2, 3, 3), bad = tensor(1, 2, 2, 3);
    float *x = dev_floats(POOL_X, 50), *dy = dev_floats(POOL_DY, 18), *y = dev_floats(NULL, 18), *dx = dev_floats(NULL, 50);
    struct { cudnnPoolingMode_t mode; const char *name; const float *wy, *wdx; } cases[] = {
        { CUDNN_POOLING_MAX, "max", POOL_MAX_Y, POOL_MAX_DX },
        { CUDNN_POOLING_MAX_DETERMINISTIC, "max deterministic", POOL_MAX_Y, POOL_MAX_DX },
        { CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, "average incl. padding", POOL_AVG_INC_Y, POOL_AVG_INC_DX },
        { CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, "average excl. padding", POOL_AVG_EXC_Y, POOL_AVG_EXC_DX },
    };
    char what[96];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cudnnPoolingDescriptor_t p = pool(cases[i].mode, CUDNN_NOT_PROPAGATE_NAN, 3, 1, 2);
        pool_pass(h, p, xd, x, yd, y, dy, dx);
        snprintf(what, sizeof what, "%s pooling 3x3/2 pad 1 forward", cases[i].name);
        close_to(what, y, cases[i].wy, 18, 1e-6, 1e-6);
        snprintf(what, sizeof what, "%s pooling 3x3/2 pad 1 backward", cases[i].name);
        close_to(what, dx, cases[i].wdx, 50, 1e-6, 1e-6);
        float one = 1, zero = 0;
        DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnPoolingForward(h, p, &one, xd, x, &zero, bad, y));
        DNN_OK(cudnnDestroyPoolingDescriptor(p));
    }
    /* Hand cases on 1x1x2x2: ties, NaN, padding counted or not. */
    cudnnTensorDescriptor_t x4 = tensor(1, 1, 2, 2), y1 = tensor(1, 1, 1, 1), y9 = tensor(1, 1, 3, 3);
    float ties[4] = { 3, 3, 3, 3 }, five = 5, nans[4] = { 1, NAN, 2, 0 }, seq[4] = { 1, 2, 3, 4 }, g9[9] = { 0 };
    float *hx = dev_floats(ties, 4), *hy = dev_floats(NULL, 9), *hdy = dev_floats(&five, 1), *hdx = dev_floats(NULL, 4);
    cudnnPoolingDescriptor_t p = pool(CUDNN_POOLING_MAX_DETERMINISTIC, CUDNN_NOT_PROPAGATE_NAN, 2, 0, 2);
    pool_pass(h, p, x4, hx, y1, hy, hdy, hdx);
    const float tie_dx[4] = { 5, 0, 0, 0 };
    close_to("max backward on a tie: the first window position", hdx, tie_dx, 4, 0, 0);
    memcpy(hx, nans, sizeof nans);
    pool_pass(h, p, x4, hx, y1, hy, hdy, hdx);
    CHECK(hy[0] == 2.0f, "CUDNN_NOT_PROPAGATE_NAN max of {1, NaN, 2, 0} = %g, want 2", hy[0]);
    DNN_OK(cudnnDestroyPoolingDescriptor(p));
    p = pool(CUDNN_POOLING_MAX, CUDNN_PROPAGATE_NAN, 2, 0, 2);
    pool_pass(h, p, x4, hx, y1, hy, hdy, hdx);
    CHECK(isnan(hy[0]), "CUDNN_PROPAGATE_NAN max of {1, NaN, 2, 0} = %g, want NaN", hy[0]);
    DNN_OK(cudnnDestroyPoolingDescriptor(p));
    memcpy(hx, seq, sizeof seq);
    float one = 1, zero = 0;
    const float inc[9] = { 0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1 }, exc[9] = { 1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4 };
    p = pool(CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, CUDNN_NOT_PROPAGATE_NAN, 2, 1, 1);
    DNN_OK(cudnnPoolingForward(h, p, &one, x4, hx, &zero, y9, hy));
    sync_stream();
    close_to("average 2x2/1 pad 1, padding counted", hy, inc, 9, 0, 0);
    DNN_OK(cudnnDestroyPoolingDescriptor(p));
    p = pool(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, CUDNN_NOT_PROPAGATE_NAN, 2, 1, 1);
    DNN_OK(cudnnPoolingForward(h, p, &one, x4, hx, &zero, y9, hy));
    sync_stream();
    close_to("average 2x2/1 pad 1, padding not counted", hy, exc, 9, 0, 0);
    DNN_OK(cudnnDestroyPoolingDescriptor(p));
    (void)g9;
    float *all[] = { x, dy, y, dx, hx, hy, hdy, hdx };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) dev_free(all[i]);
    cudnnTensorDescriptor_t ds[] = { xd, yd, bad, x4, y1, y9 };
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++) DNN_OK(cudnnDestroyTensorDescriptor(ds[i]));
}
