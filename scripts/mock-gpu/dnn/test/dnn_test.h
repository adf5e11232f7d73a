/*
 * dnn_test — checks the mock cuDNN 9 / cuBLAS 13 against hand-worked values and PyTorch fixtures
 * (fixtures.h, from make_fixtures.py). Device memory comes from the mock driver; by the contract
 * of adl_mock.h a CUdeviceptr is the host address of its block, so the test reads and writes it
 * directly after cuStreamSynchronize.
 */
#ifndef DNN_TEST_H
#define DNN_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "cudnn_api.h"
#include "cublas_api.h"

extern int g_failures, g_checks;
extern CUstream g_stream;

#define CHECK(cond, ...) do { g_checks++; if (!(cond)) { g_failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)
#define DNN_OK(call) do { cudnnStatus_t s_ = (call); CHECK(s_ == CUDNN_STATUS_SUCCESS, "%s -> %s", #call, cudnnGetErrorString(s_)); } while (0)
#define DNN_IS(want, call) do { cudnnStatus_t s_ = (call); CHECK(s_ == (want), "%s -> %s, want %s", #call, \
    cudnnGetErrorString(s_), cudnnGetErrorString(want)); } while (0)

/* A device block of n floats holding src (or 0xff bytes = NaN when src is NULL). */
float *dev_floats(const float *src, size_t n);
void dev_free(float *p);
void sync_stream(void);
/* Every element within atol + rtol·|want|; prints the first few mismatches. */
int close_to(const char *what, const float *got, const float *want, size_t n, double rtol, double atol);
int bitwise_equal(const float *a, const float *b, size_t n);
cudnnTensorDescriptor_t tensor(int n, int c, int h, int w);

void test_conv(cudnnHandle_t h);
void test_algorithms(cudnnHandle_t h);
void test_bn(cudnnHandle_t h);
void test_pool(cudnnHandle_t h);
void test_blas(void);
void test_capture(cudnnHandle_t h);

#endif
