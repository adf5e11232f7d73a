/* dnn_test: cuBLAS SGEMM for every transpose pair and strided batched against PyTorch (small
 * integers: exact), the documented INVALID_VALUE cases, beta = 0 not reading C, TF32 math mode. */
#include <math.h>
#include <stdlib.h>
#include "dnn_test.h"
#include "fixtures.h"

#define CASE(ta, tb) { ta, tb, GEMM_A_##ta##tb, sizeof GEMM_A_##ta##tb / 4, GEMM_B_##ta##tb, sizeof GEMM_B_##ta##tb / 4, \
    GEMM_C_##ta##tb, GEMM_R_##ta##tb, sizeof GEMM_C_##ta##tb / 4, GEMM_LDA_##ta##tb, GEMM_LDB_##ta##tb, GEMM_LDC_##ta##tb }

typedef struct { int ta, tb; const float *a; size_t na; const float *b; size_t nb; const float *c, *r; size_t nc; int lda, ldb, ldc; } gemm_case;

void test_blas(void) {
    cublasHandle_t h;
    CHECK(cublasCreate_v2(&h) == CUBLAS_STATUS_SUCCESS, "cublasCreate_v2");
    CHECK(cublasSetStream_v2(h, g_stream) == CUBLAS_STATUS_SUCCESS, "cublasSetStream_v2");
    const gemm_case cases[] = { CASE(0, 0), CASE(0, 1), CASE(0, 2), CASE(1, 0), CASE(1, 1), CASE(1, 2), CASE(2, 0), CASE(2, 1), CASE(2, 2) };
    const int m = 3, n = 4, k = 5;
    float alpha = 2, beta = -1;
    char what[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const gemm_case *g = &cases[i];
        float *a = dev_floats(g->a, g->na), *b = dev_floats(g->b, g->nb), *c = dev_floats(g->c, g->nc);
        cublasStatus_t s = cublasSgemm_v2(h, g->ta, g->tb, m, n, k, &alpha, a, g->lda, b, g->ldb, &beta, c, g->ldc);
        CHECK(s == CUBLAS_STATUS_SUCCESS, "cublasSgemm_v2 op %d/%d -> %d", g->ta, g->tb, s);
        sync_stream();
        snprintf(what, sizeof what, "sgemm opA %d opB %d (padded leading dims)", g->ta, g->tb);
        close_to(what, c, g->r, g->nc, 0, 0);
        dev_free(a); dev_free(b); dev_free(c);
    }
    /* INVALID_VALUE as documented; a bad handle is NOT_INITIALIZED. */
    const gemm_case *g = &cases[0];
    float *a = dev_floats(g->a, g->na), *b = dev_floats(g->b, g->nb), *c = dev_floats(g->c, g->nc);
    CHECK(cublasSgemm_v2(h, 0, 0, m, n, k, &alpha, a, m - 1, b, g->ldb, &beta, c, g->ldc) == CUBLAS_STATUS_INVALID_VALUE, "lda < m");
    CHECK(cublasSgemm_v2(h, 1, 0, m, n, k, &alpha, a, k - 1, b, g->ldb, &beta, c, g->ldc) == CUBLAS_STATUS_INVALID_VALUE, "lda < k (op T)");
    CHECK(cublasSgemm_v2(h, 0, 0, m, n, k, &alpha, a, g->lda, b, k - 1, &beta, c, g->ldc) == CUBLAS_STATUS_INVALID_VALUE, "ldb < k");
    CHECK(cublasSgemm_v2(h, 0, 0, m, n, k, &alpha, a, g->lda, b, g->ldb, &beta, c, m - 1) == CUBLAS_STATUS_INVALID_VALUE, "ldc < m");
    CHECK(cublasSgemm_v2(h, 5, 0, m, n, k, &alpha, a, g->lda, b, g->ldb, &beta, c, g->ldc) == CUBLAS_STATUS_INVALID_VALUE, "transa 5");
    CHECK(cublasSgemm_v2(h, 0, 0, -1, n, k, &alpha, a, g->lda, b, g->ldb, &beta, c, g->ldc) == CUBLAS_STATUS_INVALID_VALUE, "m < 0");
    CHECK(cublasSgemm_v2(NULL, 0, 0, m, n, k, &alpha, a, g->lda, b, g->ldb, &beta, c, g->ldc) == CUBLAS_STATUS_NOT_INITIALIZED, "NULL handle");
    /* beta = 0: C is not read, so NaN in C does not propagate. */
    float zero = 0, one = 1;
    float *cn = dev_floats(NULL, g->nc);
    CHECK(cublasSgemm_v2(h, 0, 0, m, n, k, &one, a, g->lda, b, g->ldb, &zero, cn, g->ldc) == CUBLAS_STATUS_SUCCESS, "beta 0");
    sync_stream();
    int nan = 0;
    for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) nan += isnan(cn[i + j * g->ldc]);
    CHECK(nan == 0, "beta = 0 read C: %d NaN in the result", nan);
    /* TF32 only under CUBLAS_TF32_TENSOR_OP_MATH: 1 + 2^-20 (not a TF32 value) times 1 over k = 5. */
    float fine[25], ones25[25], out[9];
    for (int i = 0; i < 25; i++) { fine[i] = 1.0f + 0x1p-20f; ones25[i] = 1; }
    float *fa = dev_floats(fine, 25), *fb = dev_floats(ones25, 25), *fc = dev_floats(NULL, 9);
    CHECK(cublasSgemm_v2(h, 0, 0, 3, 3, 5, &one, fa, 5, fb, 5, &zero, fc, 3) == CUBLAS_STATUS_SUCCESS, "sgemm default math");
    sync_stream();
    memcpy(out, fc, sizeof out);
    CHECK(out[0] != 5.0f, "the default math mode rounded to TF32 (%.9g)", out[0]);
    CHECK(cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH) == CUBLAS_STATUS_SUCCESS, "cublasSetMathMode TF32");
    CHECK(cublasSgemm_v2(h, 0, 0, 3, 3, 5, &one, fa, 5, fb, 5, &zero, fc, 3) == CUBLAS_STATUS_SUCCESS, "sgemm TF32 math");
    sync_stream();
    CHECK(fc[0] == 5.0f, "CUBLAS_TF32_TENSOR_OP_MATH gives %.9g, want 5 (inputs rounded to TF32)", fc[0]);
    CHECK(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH) == CUBLAS_STATUS_SUCCESS, "cublasSetMathMode default");
    /* Strided batched: 2 × (op T, op N) with gaps between the matrices. */
    float *sa = dev_floats(SB_A, sizeof SB_A / 4), *sb = dev_floats(SB_B, sizeof SB_B / 4), *sc = dev_floats(SB_C, sizeof SB_C / 4);
    CHECK(cublasSgemmStridedBatched(h, 1, 0, m, n, k, &alpha, sa, k, SB_SA, sb, k, SB_SB, &beta, sc, m, SB_SC, 2) == CUBLAS_STATUS_SUCCESS,
          "cublasSgemmStridedBatched");
    sync_stream();
    close_to("sgemm strided batched (2 batches, op T / op N)", sc, SB_R, sizeof SB_R / 4, 0, 0);
    CHECK(cublasSgemmStridedBatched(h, 1, 0, m, n, k, &alpha, sa, k, SB_SA, sb, k, SB_SB, &beta, sc, m, SB_SC, -1)
          == CUBLAS_STATUS_INVALID_VALUE, "batchCount < 0");
    float *all[] = { a, b, c, cn, fa, fb, fc, sa, sb, sc };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) dev_free(all[i]);
    CHECK(cublasDestroy_v2(h) == CUBLAS_STATUS_SUCCESS, "cublasDestroy_v2");
}
