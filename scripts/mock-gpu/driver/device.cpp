// device.cpp — initialisation, the one mock device, the primary context and error names.
// Behaviour from NVIDIA's CUDA Driver API reference (docs.nvidia.com/cuda/cuda-driver-api/),
// the section named in each function's comment.
#include "mock.hpp"
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace adlmock {

std::recursive_mutex g_lock;
Context g_ctx;
static bool g_initialized = false;
static thread_local Context *t_current = nullptr;

bool initialized() { return g_initialized; }

static long env_long(const char *name, long dflt) {
    const char *v = std::getenv(name);
    if (!v || !*v) return dflt;
    char *end = nullptr;
    long x = std::strtol(v, &end, 10);
    if (*end || x <= 0) {
        adlmock_report("%s=%s is not a positive integer; using %ld", name, v, dflt);
        return dflt;
    }
    return x;
}

int driver_version() { return (int) env_long("ADL_MOCK_GPU_DRIVER_VERSION", 13000); }
size_t capacity_bytes() { return (size_t) env_long("ADL_MOCK_GPU_MEMORY_MB", 4096) << 20; }
// Devices the driver reports (ADL_MOCK_GPU_COUNT, default 1), all alike. A process has one context
// (the mock's), so it may retain the primary context of one of them at a time: one GPU per process,
// as a data-parallel job uses them (docs/08-data-parallel.md).
static int device_count() { return (int) env_long("ADL_MOCK_GPU_COUNT", 1); }
static bool bad_device(CUdevice dev) { return dev < 0 || dev >= device_count(); }
static CUdevice g_ctx_device = -1;

uint64_t this_thread_id() { return (uint64_t) std::hash<std::thread::id>{}(std::this_thread::get_id()); }

CUresult need_context() {
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (t_current != &g_ctx || g_ctx.refcount == 0) return CUDA_ERROR_INVALID_CONTEXT;
    return g_ctx.sticky;
}

void set_sticky(CUresult r) { if (g_ctx.sticky == CUDA_SUCCESS) g_ctx.sticky = r; }

} // namespace adlmock

using namespace adlmock;

extern "C" {

void adlmock_report(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "adl mock GPU: %s\n", buf);
    fflush(stderr);
}

// Initialization: cuInit — Flags must be 0.
CUresult cuInit(unsigned int Flags) {
    Guard g(g_lock);
    if (Flags != 0) return CUDA_ERROR_INVALID_VALUE;
    g_initialized = true;
    return CUDA_SUCCESS;
}

// Version Management: cuDriverGetVersion — works before cuInit; null pointer is CUDA_ERROR_INVALID_VALUE.
CUresult cuDriverGetVersion(int *driverVersion) {
    if (!driverVersion) return CUDA_ERROR_INVALID_VALUE;
    *driverVersion = driver_version();
    return CUDA_SUCCESS;
}

// Device Management: cuDeviceGetCount.
CUresult cuDeviceGetCount(int *count) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = device_count();
    return CUDA_SUCCESS;
}

// Device Management: cuDeviceGet — ordinal outside [0, count) is CUDA_ERROR_INVALID_DEVICE.
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal < 0 || ordinal >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

// Device Management: cuDeviceGetName — an ASCII string of at most len bytes, NUL-terminated.
CUresult cuDeviceGetName(char *name, int len, CUdevice dev) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    if (bad_device(dev)) return CUDA_ERROR_INVALID_DEVICE;
    snprintf(name, (size_t) len, "%s", "adl mock GPU (CPU)");
    return CUDA_SUCCESS;
}

// Device Management: cuDeviceTotalMem — the capacity (ADL_MOCK_GPU_MEMORY_MB).
CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    if (bad_device(dev)) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = capacity_bytes();
    return CUDA_SUCCESS;
}

// Device Management: cuDeviceGetAttribute — an A100-like compute capability 8.0 device with the
// launch limits cuLaunchKernel checks; attributes without a meaningful value here read 0.
CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!pi || attrib <= 0 || attrib >= CU_DEVICE_ATTRIBUTE_MAX) return CUDA_ERROR_INVALID_VALUE;
    if (bad_device(dev)) return CUDA_ERROR_INVALID_DEVICE;
    int v = 0;
    switch (attrib) {
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: v = 8; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: v = 0; break;
        case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: v = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: v = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: v = 64; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: v = 2147483647; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: v = 65535; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: v = 48 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_WARP_SIZE: v = 32; break;
        case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: v = 2048; break;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: v = 64; break;
        default: v = 0;
    }
    *pi = v;
    return CUDA_SUCCESS;
}

// Primary Context Management: cuDevicePrimaryCtxRetain — retains (creating on first use) the
// device's primary context; every retain needs a matching release.
CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    if (bad_device(dev)) return CUDA_ERROR_INVALID_DEVICE;
    if (g_ctx.refcount > 0 && dev != g_ctx_device) {
        adlmock_report("cuDevicePrimaryCtxRetain: device %d while device %d's context is held (the mock has one context per process)", dev, g_ctx_device);
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    g_ctx_device = dev;
    g_ctx.refcount++;
    *pctx = reinterpret_cast<CUcontext>(&g_ctx);
    return CUDA_SUCCESS;
}

// Primary Context Management: cuDevicePrimaryCtxRelease — at the last release the context is
// destroyed and its resources freed (the mock reports the device memory still allocated then).
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (bad_device(dev)) return CUDA_ERROR_INVALID_DEVICE;
    if (g_ctx.refcount == 0 || dev != g_ctx_device) return CUDA_ERROR_INVALID_CONTEXT;
    if (--g_ctx.refcount == 0) {
        release_all_state();
        g_ctx.sticky = CUDA_SUCCESS;
    }
    return CUDA_SUCCESS;
}

// Context Management: cuCtxSetCurrent — binds ctx (or no context, for NULL) to the calling thread.
CUresult cuCtxSetCurrent(CUcontext ctx) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx == nullptr) { t_current = nullptr; return CUDA_SUCCESS; }
    if (reinterpret_cast<Context *>(ctx) != &g_ctx || g_ctx.refcount == 0) return CUDA_ERROR_INVALID_CONTEXT;
    t_current = &g_ctx;
    return CUDA_SUCCESS;
}

// Context Management: cuCtxGetCurrent — the calling thread's context, NULL when none.
CUresult cuCtxGetCurrent(CUcontext *pctx) {
    Guard g(g_lock);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    *pctx = (t_current == &g_ctx && g_ctx.refcount > 0) ? reinterpret_cast<CUcontext>(&g_ctx) : nullptr;
    return CUDA_SUCCESS;
}

// Context Management: cuCtxSynchronize — waits for all work of the context (already done here: work
// runs at enqueue) and returns an error of a previous asynchronous launch. It synchronises
// capturing streams too, which stream capture forbids (Graph Management / stream capture:
// CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, and the capture is invalidated).
CUresult cuCtxSynchronize(void) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    CUresult u = conflicts_with_capture("cuCtxSynchronize");
    return u != CUDA_SUCCESS ? u : g_ctx.sticky;
}

} // extern "C"
