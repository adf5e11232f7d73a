/*
 * A stand-in libcuda.so.1 for building and running dnn_test.c before (or without) the mock driver:
 * the adlmock_* contract (adl_mock.h) with work run at once and device pointers taken as host
 * addresses, plus the few driver calls the test makes. No capture (dnn_test.c is built with
 * -DADL_DNN_TEST_STUB against it and skips the capture case). Never shipped: dnn/build.sh links
 * the libraries against the real mock driver.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include "adl_mock.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT CUresult adlmock_enqueue(CUstream s, const char *what, adlmock_fn run, void *arg, adlmock_fn release) {
    (void)s; (void)what;
    run(arg);
    if (release) release(arg);
    return CUDA_SUCCESS;
}
EXPORT void *adlmock_device_ptr(CUdeviceptr p, size_t bytes, const char *what) { (void)bytes; (void)what; return (void *)(uintptr_t)p; }
EXPORT void adlmock_report(const char *fmt, ...) {
    va_list ap; va_start(ap, fmt); fputs("adl mock GPU: ", stderr); vfprintf(stderr, fmt, ap); fputc('\n', stderr); va_end(ap);
}
EXPORT int adlmock_stream_capturing(CUstream s) { (void)s; return 0; }
EXPORT CUresult cuInit(unsigned f) { (void)f; return CUDA_SUCCESS; }
EXPORT CUresult cuDeviceGet(CUdevice *d, int o) { *d = o; return CUDA_SUCCESS; }
EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *c, CUdevice d) { (void)d; *c = (CUcontext)(uintptr_t)1; return CUDA_SUCCESS; }
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) { (void)d; return CUDA_SUCCESS; }
EXPORT CUresult cuCtxSetCurrent(CUcontext c) { (void)c; return CUDA_SUCCESS; }
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t b) { *p = (CUdeviceptr)(uintptr_t)malloc(b ? b : 1); return CUDA_SUCCESS; }
EXPORT CUresult cuMemFree_v2(CUdeviceptr p) { free((void *)(uintptr_t)p); return CUDA_SUCCESS; }
EXPORT CUresult cuStreamCreate(CUstream *s, unsigned f) { (void)f; *s = (CUstream)(uintptr_t)8; return CUDA_SUCCESS; }
EXPORT CUresult cuStreamDestroy_v2(CUstream s) { (void)s; return CUDA_SUCCESS; }
EXPORT CUresult cuStreamSynchronize(CUstream s) { (void)s; return CUDA_SUCCESS; }
