/* dnn_test: main, helpers, identity and descriptor checks, stream capture (see dnn_test.h). */
#include <math.h>
#include <stdlib.h>
#include "dnn_test.h"

int g_failures, g_checks;
CUstream g_stream;

float *dev_floats(const float *src, size_t n) {
    CUdeviceptr p = 0;
    CUresult r = cuMemAlloc(&p, n * sizeof(float) + (n == 0));
    if (r != CUDA_SUCCESS) { printf("FAIL cuMemAlloc(%zu floats) -> %d\n", n, (int)r); exit(2); }
    float *f = (float *)(uintptr_t)p;
    if (src) memcpy(f, src, n * sizeof(float));
    else memset(f, 0xff, n * sizeof(float));
    return f;
}

void dev_free(float *p) { cuMemFree((CUdeviceptr)(uintptr_t)p); }

void sync_stream(void) {
    CUresult r = cuStreamSynchronize(g_stream);
    CHECK(r == CUDA_SUCCESS, "cuStreamSynchronize -> %d", (int)r);
}

int close_to(const char *what, const float *got, const float *want, size_t n, double rtol, double atol) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]);
        if (!(d <= atol + rtol * fabs(want[i]))) {
            if (bad < 4) printf("  %s[%zu] = %.9g, want %.9g\n", what, i, got[i], want[i]);
            bad++;
        }
    }
    CHECK(bad == 0, "%s: %d of %zu elements off (rtol %g, atol %g)", what, bad, n, rtol, atol);
    return bad == 0;
}

int bitwise_equal(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

cudnnTensorDescriptor_t tensor(int n, int c, int h, int w) {
    cudnnTensorDescriptor_t t;
    DNN_OK(cudnnCreateTensorDescriptor(&t));
    DNN_OK(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w));
    return t;
}

static void test_identity(void) {
    CHECK(cudnnGetVersion() == 91300, "cudnnGetVersion = %zu", cudnnGetVersion());
    CHECK(cudnnGetCudartVersion() == 13000, "cudnnGetCudartVersion = %zu", cudnnGetCudartVersion());
    CHECK(strcmp(cudnnGetErrorString(CUDNN_STATUS_BAD_PARAM), "CUDNN_STATUS_BAD_PARAM") == 0, "error string of 2000");
    CHECK(strcmp(cudnnGetErrorString(CUDNN_STATUS_NOT_SUPPORTED), "CUDNN_STATUS_NOT_SUPPORTED") == 0, "error string of 3000");
    int v = 0;
    CHECK(cublasGetVersion_v2(NULL, &v) == CUBLAS_STATUS_SUCCESS && v == 130000, "cublasGetVersion_v2 = %d", v);
    CHECK(cublasLtGetVersion() == 130000 && cublasLtGetCudartVersion() == 13000, "cublasLt versions %zu %zu",
          cublasLtGetVersion(), cublasLtGetCudartVersion());
}

/* The BAD_PARAM / NOT_SUPPORTED conditions the descriptor setters document. */
static void test_descriptors(void) {
    cudnnTensorDescriptor_t t;
    DNN_OK(cudnnCreateTensorDescriptor(&t));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, -1, 2, 3, 4));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetTensor4dDescriptor(t, (cudnnTensorFormat_t)9, CUDNN_DATA_FLOAT, 1, 2, 3, 4));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetTensor4dDescriptorEx(t, CUDNN_DATA_FLOAT, 1, 2, 3, 4, 24, -12, 4, 1));
    DNN_OK(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 2, 3, 4, 5));
    cudnnDataType_t dt; int n, c, h, w, ns, cs, hs, ws;
    DNN_OK(cudnnGetTensor4dDescriptor(t, &dt, &n, &c, &h, &w, &ns, &cs, &hs, &ws));
    CHECK(ns == 60 && cs == 1 && hs == 15 && ws == 3, "NHWC strides %d %d %d %d, want 60 1 15 3", ns, cs, hs, ws);
    DNN_OK(cudnnDestroyTensorDescriptor(t));
    cudnnConvolutionDescriptor_t cd;
    DNN_OK(cudnnCreateConvolutionDescriptor(&cd));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetConvolution2dDescriptor(cd, 0, 0, 0, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetConvolution2dDescriptor(cd, -1, 0, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetConvolution2dDescriptor(cd, 0, 0, 1, 1, 0, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetConvolution2dDescriptor(cd, 0, 0, 1, 1, 1, 1, (cudnnConvolutionMode_t)2, CUDNN_DATA_FLOAT));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetConvolutionGroupCount(cd, 0));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetConvolutionMathType(cd, (cudnnMathType_t)7));
    cudnnMathType_t mt;
    DNN_OK(cudnnGetConvolutionMathType(cd, &mt));
    CHECK(mt == CUDNN_DEFAULT_MATH, "a new convolution descriptor's math type is %d, want CUDNN_DEFAULT_MATH", mt);
    DNN_OK(cudnnDestroyConvolutionDescriptor(cd));
    cudnnPoolingDescriptor_t pd;
    DNN_OK(cudnnCreatePoolingDescriptor(&pd));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetPooling2dDescriptor(pd, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, 0, 3, 1, 1, 1, 1));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetPooling2dDescriptor(pd, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, 3, 3, -1, 1, 1, 1));
    DNN_IS(CUDNN_STATUS_BAD_PARAM, cudnnSetPooling2dDescriptor(pd, (cudnnPoolingMode_t)4, CUDNN_NOT_PROPAGATE_NAN, 3, 3, 1, 1, 1, 1));
    DNN_OK(cudnnDestroyPoolingDescriptor(pd));
    char msg[256];
    cudnnGetLastErrorString(msg, sizeof msg);
    CHECK(strstr(msg, "cudnnSetPooling2dDescriptor") != NULL, "last error string names the call: '%s'", msg);
}

int main(void) {
    CUdevice dev;
    CUcontext ctx;
    if (cuInit(0) != CUDA_SUCCESS || cuDeviceGet(&dev, 0) != CUDA_SUCCESS || cuDevicePrimaryCtxRetain(&ctx, dev) != CUDA_SUCCESS
        || cuCtxSetCurrent(ctx) != CUDA_SUCCESS || cuStreamCreate(&g_stream, 0) != CUDA_SUCCESS) {
        printf("FAIL: could not set up the mock driver (device, primary context, stream)\n");
        return 2;
    }
    cudnnHandle_t h;
    DNN_OK(cudnnCreate(&h));
    DNN_OK(cudnnSetStream(h, g_stream));
    test_identity();
    test_descriptors();
    test_conv(h);
    test_algorithms(h);
    test_bn(h);
    test_pool(h);
    test_blas();
    test_capture(h);
    DNN_OK(cudnnDestroy(h));
    cuStreamDestroy(g_stream);
    cuDevicePrimaryCtxRelease(dev);
    printf("dnn_test: %d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
