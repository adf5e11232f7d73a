/*
 * adl mock GPU — cudnnBatchNormalizationForwardTraining, ...ForwardInference, ...Backward
 * (ops library, https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-ops-library.html),
 * spatial mode (CUDNN_BATCHNORM_SPATIAL; SPATIAL_PERSISTENT computes the same here), float data.
 *
 * x, y, dy, dx: [N, C, H, W] (any strides); bnScale, bnBias, running/saved statistics: [1, C, 1, 1].
 * Per channel c over the M = N·H·W values:
 *   mean = Σx / M,  var = Σ(x - mean)² / M (biased),  invStd = 1 / sqrt(var + epsilon)
 *   y = alpha·(scale·(x - mean)·invStd + bias) + beta·y
 *   training: resultRunningMean = (1 - f)·runMean + f·mean and resultRunningVariance =
 *     (1 - f)·runVar + f·var·M/(M - 1) (the UNBIASED variance), f = exponentialAverageFactor;
 *     resultSaveMean = mean, resultSaveInvVariance = invStd (the biased variance + epsilon).
 *   inference: y = alpha·(scale·(x - estMean) / sqrt(estVar + epsilon) + bias) + beta·y
 *   backward: x̂ = (x - mean)·invStd, dBias = Σdy, dScale = Σdy·x̂,
 *     dx = scale·invStd·(dy - dBias/M - x̂·dScale/M), blended with alphaDataDiff / betaDataDiff;
 *     dScale, dBias blended with alphaParamDiff / betaParamDiff; savedMean / savedInvVariance
 *     optional (both NULL: recomputed from x with epsilon).
 * Statistics are accumulated in double, in a fixed order.
 * BAD_PARAM (the docs' lists): a NULL alpha/beta/x/y/scale/bias (dx, dy, dScale, dBias in
 * backward), x and y descriptors that differ in shape or type, a scale/bias descriptor that is not
 * 1xCx1x1, exactly one of the running (or saved) pointers NULL, epsilon < CUDNN_BN_MIN_EPSILON.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dnn_internal.h"

enum bn_kind { BN_TRAIN, BN_INFER, BN_BACKWARD };
static const char *FN[] = { "cudnnBatchNormalizationForwardTraining", "cudnnBatchNormalizationForwardInference",
                            "cudnnBatchNormalizationBackward" };

typedef struct {
    enum bn_kind kind;
    struct dnn_tensor x, y, dy, dx, p;
    float alpha, beta, alpha_param, beta_param;
    double factor, eps;
    CUdeviceptr px, py, pdy, pdx, scale, bias, mean_in, var_in, run_mean, run_var, save_mean, save_inv, dscale, dbias;
} bn_job;

static int same_shape(const struct dnn_tensor *a, const struct dnn_tensor *b) {
    return a->n == b->n && a->c == b->c && a->h == b->h && a->w == b->w && a->type == b->type;
}

static cudnnStatus_t check(enum bn_kind k, cudnnHandle_t h, cudnnBatchNormMode_t mode, const struct dnn_tensor *x,
                           const struct dnn_tensor *y, const struct dnn_tensor *p, double eps) {
    const char *fn = FN[k];
    if (!dnn_handle_ok(h)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: not a cuDNN handle", fn);
    if (mode < CUDNN_BATCHNORM_PER_ACTIVATION || mode > CUDNN_BATCHNORM_SPATIAL_PERSISTENT)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: mode %d is not a cudnnBatchNormMode_t", fn, mode);
    if (mode == CUDNN_BATCHNORM_PER_ACTIVATION)
        return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "%s: the mock implements the spatial modes only", fn);
    if (!dnn_tensor_ok(x) || !dnn_tensor_ok(y) || !dnn_tensor_ok(p)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: a descriptor is NULL or not set", fn);
    if (!same_shape(x, y))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: x [%d, %d, %d, %d] and y [%d, %d, %d, %d] differ (or their data types do)", fn,
                        x->n, x->c, x->h, x->w, y->n, y->c, y->h, y->w);
    if (p->n != 1 || p->c != x->c || p->h != 1 || p->w != 1)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: bnScaleBiasMeanVarDesc is [%d, %d, %d, %d], spatial mode wants [1, %d, 1, 1]", fn,
                        p->n, p->c, p->h, p->w, x->c);
    if (x->type != CUDNN_DATA_FLOAT || p->type != CUDNN_DATA_FLOAT)
        return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "%s: the mock computes CUDNN_DATA_FLOAT only (x %d, scale/bias %d)", fn, x->type, p->type);
    if (!(eps >= CUDNN_BN_MIN_EPSILON)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: epsilon %g < CUDNN_BN_MIN_EPSILON", fn, eps);
    return CUDNN_STATUS_SUCCESS;
}

#define DEV(name, ptr, bytes) float *name = NULL; \
    if ((ptr) != 0 && (name = adlmock_device_ptr((ptr), (bytes), fn)) == NULL) goto done

static void bn_run(void *arg) {
    bn_job *j = arg;
    const char *fn = FN[j->kind];
    const struct dnn_tensor *X = &j->x;
    int C = X->c;
    double M = (double)X->n * X->h * X->w;
    size_t cb = (size_t)C * 4;
    double *mean = malloc(sizeof(double) * C), *inv = malloc(sizeof(double) * C);
    if (mean == NULL || inv == NULL) { adlmock_report("%s: out of host memory", fn); free(mean); free(inv); return; }
    DEV(x, j->px, dnn_tensor_bytes(X));
    DEV(y, j->py, dnn_tensor_bytes(&j->y));
    DEV(scale, j->scale, cb);
    DEV(bias, j->bias, cb);
    DEV(mean_in, j->mean_in, cb);
    DEV(var_in, j->var_in, cb);
    DEV(run_mean, j->run_mean, cb);
    DEV(run_var, j->run_var, cb);
    DEV(save_mean, j->save_mean, cb);
    DEV(save_inv, j->save_inv, cb);
    DEV(dy, j->pdy, dnn_tensor_bytes(&j->dy));
    DEV(dx, j->pdx, dnn_tensor_bytes(&j->dx));
    DEV(dscale, j->dscale, cb);
    DEV(dbias, j->dbias, cb);
    for (int c = 0; c < C; c++) {
        if (j->kind == BN_INFER) {
            mean[c] = mean_in[c];
            inv[c] = 1.0 / sqrt((double)var_in[c] + j->eps);
        } else if (j->kind == BN_BACKWARD && save_mean != NULL) {
            mean[c] = save_mean[c];
            inv[c] = save_inv[c];
        } else {
            double s = 0, q = 0;
            for (int n = 0; n < X->n; n++) for (int h = 0; h < X->h; h++) for (int w = 0; w < X->w; w++) s += x[dnn_at(X, n, c, h, w)];
            double m = s / M;
            for (int n = 0; n < X->n; n++) for (int h = 0; h < X->h; h++) for (int w = 0; w < X->w; w++) {
                double d = x[dnn_at(X, n, c, h, w)] - m;
                q += d * d;
            }
            double var = q / M;
            mean[c] = m;
            inv[c] = 1.0 / sqrt(var + j->eps);
            if (j->kind == BN_TRAIN) {
                if (run_mean != NULL) {
                    double unbiased = M > 1 ? var * M / (M - 1) : var;
                    run_mean[c] = (float)((1.0 - j->factor) * run_mean[c] + j->factor * m);
                    run_var[c] = (float)((1.0 - j->factor) * run_var[c] + j->factor * unbiased);
                }
                if (save_mean != NULL) {
                    save_mean[c] = (float)m;
                    save_inv[c] = (float)inv[c];
                }
            }
        }
    }
    if (j->kind != BN_BACKWARD) {
        for (int n = 0; n < X->n; n++) for (int c = 0; c < C; c++) for (int h = 0; h < X->h; h++) for (int w = 0; w < X->w; w++) {
            float v = (float)(scale[c] * ((x[dnn_at(X, n, c, h, w)] - mean[c]) * inv[c]) + bias[c]);
            int64_t o = dnn_at(&j->y, n, c, h, w);
            y[o] = dnn_blend(j->alpha, v, j->beta, &y[o]);
        }
        goto done;
    }
    for (int c = 0; c < C; c++) {
        double sb = 0, ss = 0;
        for (int n = 0; n < X->n; n++) for (int h = 0; h < X->h; h++) for (int w = 0; w < X->w; w++) {
            double g = dy[dnn_at(&j->dy, n, c, h, w)];
            sb += g;
            ss += g * (x[dnn_at(X, n, c, h, w)] - mean[c]) * inv[c];
        }
        for (int n = 0; n < X->n; n++) for (int h = 0; h < X->h; h++) for (int w = 0; w < X->w; w++) {
            double xh = (x[dnn_at(X, n, c, h, w)] - mean[c]) * inv[c];
            double g = scale[c] * inv[c] * (dy[dnn_at(&j->dy, n, c, h, w)] - sb / M - xh * ss / M);
            int64_t o = dnn_at(&j->dx, n, c, h, w);
            dx[o] = dnn_blend(j->alpha, (float)g, j->beta, &dx[o]);
        }
        dscale[c] = dnn_blend(j->alpha_param, (float)ss, j->beta_param, &dscale[c]);
        dbias[c] = dnn_blend(j->alpha_param, (float)sb, j->beta_param, &dbias[c]);
    }
done:
    free(mean);
    free(inv);
}

static CUdeviceptr dp(const void *p) { return (CUdeviceptr)(uintptr_t)p; }

static cudnnStatus_t submit(cudnnHandle_t h, bn_job *proto) {
    bn_job *j = malloc(sizeof *j);
    if (j == NULL) return dnn_fail(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, "%s: out of host memory", FN[proto->kind]);
    *j = *proto;
    CUresult r = adlmock_enqueue(h->stream, FN[j->kind], bn_run, j, free);
    if (r != CUDA_SUCCESS) return dnn_fail(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER, "%s: the stream work failed (CUresult %d)", FN[proto->kind], (int)r);
    return CUDNN_STATUS_SUCCESS;
}

DNN_EXPORT cudnnStatus_t cudnnBatchNormalizationForwardTraining(cudnnHandle_t h, cudnnBatchNormMode_t mode, const void *alpha, const void *beta,
        const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t yDesc, void *y,
        const cudnnTensorDescriptor_t bnDesc, const void *bnScale, const void *bnBias, double exponentialAverageFactor,
        void *resultRunningMean, void *resultRunningVariance, double epsilon, void *resultSaveMean, void *resultSaveInvVariance) {
    const char *fn = FN[BN_TRAIN];
    cudnnStatus_t s = check(BN_TRAIN, h, mode, xDesc, yDesc, bnDesc, epsilon);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    if (!alpha || !beta || !x || !y || !bnScale || !bnBias) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: alpha, beta, x, y, bnScale or bnBias is NULL", fn);
    if ((resultRunningMean == NULL) != (resultRunningVariance == NULL))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: resultRunningMean and resultRunningVariance must both be NULL or both be set", fn);
    if ((resultSaveMean == NULL) != (resultSaveInvVariance == NULL))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: resultSaveMean and resultSaveInvVariance must both be NULL or both be set", fn);
    bn_job j = { .kind = BN_TRAIN, .x = *xDesc, .y = *yDesc, .p = *bnDesc, .alpha = *(const float *)alpha, .beta = *(const float *)beta,
                 .factor = exponentialAverageFactor, .eps = epsilon, .px = dp(x), .py = dp(y), .scale = dp(bnScale), .bias = dp(bnBias),
                 .run_mean = dp(resultRunningMean), .run_var = dp(resultRunningVariance), .save_mean = dp(resultSaveMean),
                 .save_inv = dp(resultSaveInvVariance) };
    return submit(h, &j);
}

DNN_EXPORT cudnnStatus_t cudnnBatchNormalizationForwardInference(cudnnHandle_t h, cudnnBatchNormMode_t mode, const void *alpha, const void *beta,
        const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t yDesc, void *y,
        const cudnnTensorDescriptor_t bnDesc, const void *bnScale, const void *bnBias, const void *estimatedMean,
        const void *estimatedVariance, double epsilon) {
    const char *fn = FN[BN_INFER];
    cudnnStatus_t s = check(BN_INFER, h, mode, xDesc, yDesc, bnDesc, epsilon);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    if (!alpha || !beta || !x || !y || !bnScale || !bnBias || !estimatedMean || !estimatedVariance)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: alpha, beta, x, y, bnScale, bnBias, estimatedMean or estimatedVariance is NULL", fn);
    bn_job j = { .kind = BN_INFER, .x = *xDesc, .y = *yDesc, .p = *bnDesc, .alpha = *(const float *)alpha, .beta = *(const float *)beta,
                 .eps = epsilon, .px = dp(x), .py = dp(y), .scale = dp(bnScale), .bias = dp(bnBias), .mean_in = dp(estimatedMean),
                 .var_in = dp(estimatedVariance) };
    return submit(h, &j);
}

DNN_EXPORT cudnnStatus_t cudnnBatchNormalizationBackward(cudnnHandle_t h, cudnnBatchNormMode_t mode, const void *alphaDataDiff,
        const void *betaDataDiff, const void *alphaParamDiff, const void *betaParamDiff, const cudnnTensorDescriptor_t xDesc, const void *x,
        const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t dxDesc, void *dx,
        const cudnnTensorDescriptor_t dBnScaleBiasDesc, const void *bnScale, void *dBnScaleResult, void *dBnBiasResult,
        double epsilon, const void *savedMean, const void *savedInvVariance) {
    const char *fn = FN[BN_BACKWARD];
    cudnnStatus_t s = check(BN_BACKWARD, h, mode, xDesc, dxDesc, dBnScaleBiasDesc, epsilon);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    if (!dnn_tensor_ok(dyDesc) || !same_shape(xDesc, dyDesc))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: dyDesc is not set or differs from xDesc [%d, %d, %d, %d]", fn,
                        xDesc->n, xDesc->c, xDesc->h, xDesc->w);
    if (!alphaDataDiff || !betaDataDiff || !alphaParamDiff || !betaParamDiff || !x || !dy || !dx || !bnScale || !dBnScaleResult || !dBnBiasResult)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: an alpha/beta, x, dy, dx, bnScale, dBnScaleResult or dBnBiasResult is NULL", fn);
    if ((savedMean == NULL) != (savedInvVariance == NULL))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: savedMean and savedInvVariance must both be NULL or both be set", fn);
    bn_job j = { .kind = BN_BACKWARD, .x = *xDesc, .y = *dxDesc, .dy = *dyDesc, .dx = *dxDesc, .p = *dBnScaleBiasDesc,
                 .alpha = *(const float *)alphaDataDiff, .beta = *(const float *)betaDataDiff,
                 .alpha_param = *(const float *)alphaParamDiff, .beta_param = *(const float *)betaParamDiff, .eps = epsilon,
                 .px = dp(x), .pdy = dp(dy), .pdx = dp(dx), .scale = dp(bnScale), .dscale = dp(dBnScaleResult), .dbias = dp(dBnBiasResult),
                 .save_mean = dp(savedMean), .save_inv = dp(savedInvVariance) };
    return submit(h, &j);
}
