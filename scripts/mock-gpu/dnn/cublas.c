/*
 * adl mock GPU — libcublas.so.13: handles, streams, math and pointer modes, cublasSgemm_v2 and
 * cublasSgemmStridedBatched, as plain loops written from the cuBLAS documentation
 * (https://docs.nvidia.com/cuda/cublas/index.html: "cublasCreate()", "cublasSetStream()",
 * "cublasGetVersion()", "cublasSetMathMode()", "cublasSetPointerMode()", "cublas<t>gemm()",
 * "cublas<t>gemmStridedBatched()").
 *
 * Column-major: C (m×n) = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n; element (i, j) of a
 * matrix X with leading dimension ldx is X[i + j·ldx]; op T and C (real data: C = T) read the
 * transpose. Sums run over l = 0..k-1 in order, in float. beta = 0: C is not read (NaN in C does
 * not propagate); k = 0 or alpha = 0: C = beta·C. TF32 only under CUBLAS_TF32_TENSOR_OP_MATH (the
 * default math mode keeps float32). Identity: cublasGetVersion 130000 (cuBLAS 13.0.0),
 * cublasGetCudartVersion 13000; ADL_MOCK_CUBLAS_VERSION / ADL_MOCK_CUBLAS_CUDART_VERSION override.
 */
#include <stdint.h>
#include <stdlib.h>
#include "dnn_internal.h"
#include "cublas_api.h"

#define BLAS_MAGIC 0x424c4153u
struct blas_handle { uint32_t magic; CUstream stream; int math; int pointer_mode; };

static int ok(cublasHandle_t h) { return h != NULL && h->magic == BLAS_MAGIC; }

DNN_EXPORT cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) {
    if (handle == NULL) return CUBLAS_STATUS_INVALID_VALUE;
    cublasHandle_t h = calloc(1, sizeof *h);
    if (h == NULL) return CUBLAS_STATUS_ALLOC_FAILED;
    h->magic = BLAS_MAGIC;
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

DNN_EXPORT cublasStatus_t cublasDestroy_v2(cublasHandle_t h) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    h->magic = 0;
    free(h);
    return CUBLAS_STATUS_SUCCESS;
}

/* cublasGetVersion(): major·10000 + minor·100 + patch. */
DNN_EXPORT cublasStatus_t cublasGetVersion_v2(cublasHandle_t h, int *version) {
    (void)h;
    if (version == NULL) return CUBLAS_STATUS_INVALID_VALUE;
    *version = (int)dnn_env_version("CUBLAS_VERSION", 130000);
    return CUBLAS_STATUS_SUCCESS;
}

DNN_EXPORT size_t cublasGetCudartVersion(void) { return (size_t)dnn_env_version("CUBLAS_CUDART_VERSION", 13000); }

DNN_EXPORT cublasStatus_t cublasSetStream_v2(cublasHandle_t h, CUstream streamId) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    h->stream = streamId;
    return CUBLAS_STATUS_SUCCESS;
}

DNN_EXPORT cublasStatus_t cublasGetStream_v2(cublasHandle_t h, CUstream *streamId) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (streamId == NULL) return CUBLAS_STATUS_INVALID_VALUE;
    *streamId = h->stream;
    return CUBLAS_STATUS_SUCCESS;
}

DNN_EXPORT cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t mode) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    int base = (int)mode & ~CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base < CUBLAS_DEFAULT_MATH || base > CUBLAS_TF32_TENSOR_OP_MATH) return CUBLAS_STATUS_INVALID_VALUE;
    h->math = (int)mode;
    return CUBLAS_STATUS_SUCCESS;
}

DNN_EXPORT cublasStatus_t cublasGetMathMode(cublasHandle_t h, cublasMath_t *mode) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == NULL) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = (cublasMath_t)h->math;
    return CUBLAS_STATUS_SUCCESS;
}

DNN_EXPORT cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t h, cublasPointerMode_t mode) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE) return CUBLAS_STATUS_INVALID_VALUE;
    h->pointer_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

DNN_EXPORT cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t h, cublasPointerMode_t *mode) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == NULL) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = (cublasPointerMode_t)h->pointer_mode;
    return CUBLAS_STATUS_SUCCESS;
}

typedef struct {
    int ta, tb, m, n, k, lda, ldb, ldc, batch, tf32, device_scalars;
    long long sa, sb, sc;
    float alpha, beta;               /* host pointer mode: the values at call time */
    CUdeviceptr palpha, pbeta;       /* device pointer mode: read when the work runs */
    CUdeviceptr a, b, c;
    const char *what;
} gemm_job;

/* Elements a column-major rows×cols matrix with leading dimension ld spans. */
static size_t span(int rows, int cols, int ld) { return rows == 0 || cols == 0 ? 0 : (size_t)ld * (cols - 1) + rows; }
static size_t batch_span(size_t one, long long stride, int batch) { return one == 0 ? 0 : (size_t)stride * (batch - 1) + one; }

static void gemm_run(void *arg) {
    gemm_job *j = arg;
    int ar = j->ta == CUBLAS_OP_N ? j->m : j->k, ac = j->ta == CUBLAS_OP_N ? j->k : j->m;
    int br = j->tb == CUBLAS_OP_N ? j->k : j->n, bc = j->tb == CUBLAS_OP_N ? j->n : j->k;
    size_t an = batch_span(span(ar, ac, j->lda), j->sa, j->batch), bn = batch_span(span(br, bc, j->ldb), j->sb, j->batch);
    size_t cn = batch_span(span(j->m, j->n, j->ldc), j->sc, j->batch);
    float alpha = j->alpha, beta = j->beta;
    if (j->device_scalars) {
        float *pa = adlmock_device_ptr(j->palpha, 4, j->what), *pb = adlmock_device_ptr(j->pbeta, 4, j->what);
        if (pa == NULL || pb == NULL) return;
        alpha = *pa;
        beta = *pb;
    }
    int use_ab = j->k > 0 && alpha != 0.0f;
    const float *A = use_ab ? adlmock_device_ptr(j->a, an * 4, j->what) : NULL;
    const float *B = use_ab ? adlmock_device_ptr(j->b, bn * 4, j->what) : NULL;
    float *C = adlmock_device_ptr(j->c, cn * 4, j->what);
    if (C == NULL || (use_ab && (A == NULL || B == NULL))) return;
    for (int p = 0; p < j->batch; p++) {
        const float *Ap = use_ab ? A + (size_t)p * j->sa : NULL, *Bp = use_ab ? B + (size_t)p * j->sb : NULL;
        float *Cp = C + (size_t)p * j->sc;
        for (int col = 0; col < j->n; col++) for (int row = 0; row < j->m; row++) {
            float acc = 0.0f;
            if (use_ab) {
                for (int l = 0; l < j->k; l++) {
                    float a = j->ta == CUBLAS_OP_N ? Ap[row + (size_t)l * j->lda] : Ap[l + (size_t)row * j->lda];
                    float b = j->tb == CUBLAS_OP_N ? Bp[l + (size_t)col * j->ldb] : Bp[col + (size_t)l * j->ldb];
                    if (j->tf32) { a = dnn_tf32(a); b = dnn_tf32(b); }
                    acc += a * b;
                }
            }
            float *out = &Cp[row + (size_t)col * j->ldc];
            *out = dnn_blend(alpha, acc, beta, out);
        }
    }
}

static int op_ok(int op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C; }
static int max1(int v) { return v > 1 ? v : 1; }

/* cublas<t>gemm(): INVALID_VALUE if m, n or k < 0, transa/transb not N/T/C, lda < max(1, m) for
 * transa = N (else max(1, k)), ldb < max(1, k) for transb = N (else max(1, n)), ldc < max(1, m),
 * or alpha/beta NULL; gemmStridedBatched also for batchCount < 0. Quick return for m = 0, n = 0
 * or batchCount = 0. */
static cublasStatus_t gemm(const char *what, cublasHandle_t h, int ta, int tb, int m, int n, int k, const float *alpha, const float *A,
                           int lda, long long sa, const float *B, int ldb, long long sb, const float *beta, float *C, int ldc,
                           long long sc, int batch) {
    if (!ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (m < 0 || n < 0 || k < 0 || batch < 0 || !op_ok(ta) || !op_ok(tb)) return CUBLAS_STATUS_INVALID_VALUE;
    if (lda < max1(ta == CUBLAS_OP_N ? m : k) || ldb < max1(tb == CUBLAS_OP_N ? k : n) || ldc < max1(m)) return CUBLAS_STATUS_INVALID_VALUE;
    if (alpha == NULL || beta == NULL) return CUBLAS_STATUS_INVALID_VALUE;
    if (m == 0 || n == 0 || batch == 0) return CUBLAS_STATUS_SUCCESS;
    if (sa < 0 || sb < 0 || sc < 0) return CUBLAS_STATUS_INVALID_VALUE;
    gemm_job *j = malloc(sizeof *j);
    if (j == NULL) return CUBLAS_STATUS_ALLOC_FAILED;
    int dev = h->pointer_mode == CUBLAS_POINTER_MODE_DEVICE;
    *j = (gemm_job){ ta, tb, m, n, k, lda, ldb, ldc, batch, (h->math & 0xf) == CUBLAS_TF32_TENSOR_OP_MATH, dev, sa, sb, sc,
                     dev ? 0.0f : *alpha, dev ? 0.0f : *beta, (CUdeviceptr)(uintptr_t)alpha, (CUdeviceptr)(uintptr_t)beta,
                     (CUdeviceptr)(uintptr_t)A, (CUdeviceptr)(uintptr_t)B, (CUdeviceptr)(uintptr_t)C, what };
    return adlmock_enqueue(h->stream, what, gemm_run, j, free) == CUDA_SUCCESS ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}

DNN_EXPORT cublasStatus_t cublasSgemm_v2(cublasHandle_t h, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
                                         const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta,
                                         float *C, int ldc) {
    return gemm("cublasSgemm_v2", h, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

DNN_EXPORT cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                                                    int k, const float *alpha, const float *A, int lda, long long strideA, const float *B,
                                                    int ldb, long long strideB, const float *beta, float *C, int ldc, long long strideC,
                                                    int batchCount) {
    return gemm("cublasSgemmStridedBatched", h, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
                strideC, batchCount);
}
