/*
 * adl mock GPU — cuDNN versions, status texts, handles and streams (graph library,
 * https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html).
 *
 * Identity: cudnnGetVersion 91300 (cuDNN 9.13.0, the first cuDNN 9 built for CUDA 13),
 * cudnnGetCudartVersion 13000; ADL_MOCK_CUDNN_VERSION / ADL_MOCK_CUDNN_CUDART_VERSION override them
 * (to test a caller's version checks).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dnn_internal.h"

static __thread char last_error[512];

cudnnStatus_t dnn_fail(cudnnStatus_t s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

/* cudnnGetVersion(): "the version number of the cuDNN library": major*10000 + minor*100 + patch in 9.x. */
DNN_EXPORT size_t cudnnGetVersion(void) { return (size_t)dnn_env_version("CUDNN_VERSION", 91300); }

/* cudnnGetCudartVersion(): the CUDA runtime version the library was compiled against (13.0 → 13000). */
DNN_EXPORT size_t cudnnGetCudartVersion(void) { return (size_t)dnn_env_version("CUDNN_CUDART_VERSION", 13000); }

/* cudnnGetErrorString(): a printable NUL-terminated string for a status code: the enumerant's name. */
DNN_EXPORT const char *cudnnGetErrorString(cudnnStatus_t status) {
    switch (status) {
#define S(x) case x: return #x;
        S(CUDNN_STATUS_SUCCESS) S(CUDNN_STATUS_NOT_INITIALIZED) S(CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH)
        S(CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH) S(CUDNN_STATUS_DEPRECATED) S(CUDNN_STATUS_LICENSE_ERROR)
        S(CUDNN_STATUS_RUNTIME_IN_PROGRESS) S(CUDNN_STATUS_RUNTIME_FP_OVERFLOW) S(CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED)
        S(CUDNN_STATUS_BAD_PARAM) S(CUDNN_STATUS_BAD_PARAM_NULL_POINTER) S(CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER)
        S(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED) S(CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND) S(CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT)
        S(CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH) S(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH)
        S(CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES) S(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE)
        S(CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH) S(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE)
        S(CUDNN_STATUS_NOT_SUPPORTED) S(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN) S(CUDNN_STATUS_NOT_SUPPORTED_SHAPE)
        S(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE) S(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT)
        S(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER) S(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART)
        S(CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH) S(CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING)
        S(CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE) S(CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT)
        S(CUDNN_STATUS_NOT_SUPPORTED_PADDING) S(CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM)
        S(CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API) S(CUDNN_STATUS_INTERNAL_ERROR)
        S(CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED) S(CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE)
        S(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED) S(CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED)
        S(CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM) S(CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED)
        S(CUDNN_STATUS_EXECUTION_FAILED) S(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER) S(CUDNN_STATUS_EXECUTION_FAILED_CUBLAS)
        S(CUDNN_STATUS_EXECUTION_FAILED_CUDART) S(CUDNN_STATUS_EXECUTION_FAILED_CURAND)
#undef S
    }
    return "CUDNN_STATUS_UNKNOWN";
}

/* cudnnGetLastErrorString(message, max_size): the last error message of this thread (cuDNN 9);
 * the mock's messages name the call and the values at fault. Empties it. */
DNN_EXPORT void cudnnGetLastErrorString(char *message, size_t max_size) {
    if (message == NULL || max_size == 0) return;
    snprintf(message, max_size, "%s", last_error);
    last_error[0] = 0;
}

/* cudnnCreate(handle): BAD_PARAM for a NULL handle pointer. The handle starts on the legacy
 * default stream (NULL). */
DNN_EXPORT cudnnStatus_t cudnnCreate(cudnnHandle_t *handle) {
    if (handle == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnCreate: handle is NULL");
    struct dnn_handle *h = calloc(1, sizeof *h);
    if (h == NULL) return dnn_fail(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, "cudnnCreate: out of host memory");
    h->magic = DNN_MAGIC_HANDLE;
    *handle = h;
    return CUDNN_STATUS_SUCCESS;
}

DNN_EXPORT cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
    if (!dnn_handle_ok(handle)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnDestroy: not a cuDNN handle");
    handle->magic = 0;
    free(handle);
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnSetStream(handle, streamId): later calls on handle run on streamId (NULL = legacy default). */
DNN_EXPORT cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId) {
    if (!dnn_handle_ok(handle)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetStream: not a cuDNN handle");
    handle->stream = streamId;
    return CUDNN_STATUS_SUCCESS;
}

DNN_EXPORT cudnnStatus_t cudnnGetStream(cudnnHandle_t handle, cudaStream_t *streamId) {
    if (!dnn_handle_ok(handle) || streamId == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetStream: bad handle or NULL out");
    *streamId = handle->stream;
    return CUDNN_STATUS_SUCCESS;
}

int dnn_handle_ok(const struct dnn_handle *h) { return h != NULL && h->magic == DNN_MAGIC_HANDLE; }
int dnn_tensor_ok(const struct dnn_tensor *t) { return t != NULL && t->magic == DNN_MAGIC_TENSOR && t->set; }
int dnn_filter_ok(const struct dnn_filter *f) { return f != NULL && f->magic == DNN_MAGIC_FILTER && f->set; }
int dnn_conv_ok(const struct dnn_conv *c) { return c != NULL && c->magic == DNN_MAGIC_CONV && c->set; }
int dnn_pool_ok(const struct dnn_pool *p) { return p != NULL && p->magic == DNN_MAGIC_POOL && p->set; }

size_t dnn_tensor_bytes(const struct dnn_tensor *t) {
    if (t->n == 0 || t->c == 0 || t->h == 0 || t->w == 0) return 0;
    return (size_t)(dnn_at(t, t->n - 1, t->c - 1, t->h - 1, t->w - 1) + 1) * 4;
}
