/*
 * adl mock GPU — libcublasLt.so.13, the part discovery and the version check need: the cuBLASLt
 * documentation (https://docs.nvidia.com/cuda/cublas/index.html, "cublasLtGetVersion()",
 * "cublasLtGetCudartVersion()") gives both as size_t: major·10000 + minor·100 + patch for the
 * library, the CUDA runtime version it was built for (13.0 → 13000). Same overrides as cuBLAS:
 * ADL_MOCK_CUBLAS_VERSION, ADL_MOCK_CUBLAS_CUDART_VERSION.
 */
#include "dnn_internal.h"
#include "cublas_api.h"

DNN_EXPORT size_t cublasLtGetVersion(void) { return (size_t)dnn_env_version("CUBLAS_VERSION", 130000); }

DNN_EXPORT size_t cublasLtGetCudartVersion(void) { return (size_t)dnn_env_version("CUBLAS_CUDART_VERSION", 13000); }
