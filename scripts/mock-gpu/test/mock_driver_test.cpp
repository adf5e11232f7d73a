// mock_driver_test.cpp — checks the mock libcuda.so.1 through the real driver API (cuda.h):
// out of memory at the capacity, double free and leak reports, the project's real PTX launched
// with real arguments against plain references (fill_f32, a grid-stride kernel; the two-stage
// weighted-sum gw reduction, whose PTX has bar.sync), launches refused for a wrong parameter
// count or a freed pointer (naming the kernel), capture and in-order replay, the calls capture
// forbids, and the PTX ISA check with the JIT error log. Prints one line per failed check and
// "mock_driver_test: checks=N failed=M"; exits 1 when any failed.
// Usage: mock_driver_test KERNELS_PTX_DIR    (built and run by scripts/mock-gpu/test/run.sh)
#include <cuda.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

static int checks = 0, failed = 0;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failed++; std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    std::printf(__VA_ARGS__); std::printf("\n"); } } while (0)
#define OK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { const char *n_ = "?"; cuGetErrorName(r_, &n_); \
    std::printf("FATAL %s:%d: %s = %s\n", __FILE__, __LINE__, #call, n_); std::exit(2); } } while (0)

static std::string dir;

static std::string read_file(const std::string &path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs f with stderr redirected to a file; returns what it wrote.
static std::string stderr_of(const std::function<void()> &f) {
    std::fflush(stderr);
    char path[] = "/tmp/adlmock_stderr_XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    f();
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::string s = read_file(path);
    unlink(path);
    return s;
}

static CUmodule load(const std::string &ptx) {
    CUmodule m;
    OK(cuModuleLoadDataEx(&m, ptx.c_str(), 0, nullptr, nullptr));
    return m;
}

static std::string with_version(std::string ptx, const char *version) {
    size_t p = ptx.find(".version ");
    size_t e = ptx.find('\n', p);
    return ptx.replace(p, e - p, std::string(".version ") + version);
}

static void test_identity() {
    int v = 0, n = 0, major = 0, minor = 0;
    char name[64];
    size_t total = 0;
    OK(cuDriverGetVersion(&v));
    CHECK(v == 13000, "driver version %d", v);
    OK(cuDeviceGetCount(&n));
    CHECK(n == 1, "device count %d", n);
    OK(cuDeviceGetName(name, sizeof name, 0));
    CHECK(std::string(name) == "adl mock GPU (CPU)", "name '%s'", name);
    OK(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0));
    OK(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0));
    CHECK(major == 8 && minor == 0, "compute capability %d.%d", major, minor);
    OK(cuDeviceTotalMem(&total, 0));
    CHECK(total == (size_t) 64 << 20, "total memory %zu (ADL_MOCK_GPU_MEMORY_MB=64)", total);
    CUdevice d;
    CHECK(cuDeviceGet(&d, 1) == CUDA_ERROR_INVALID_DEVICE, "device 1 exists");
    const char *s = nullptr;
    OK(cuGetErrorName(CUDA_ERROR_OUT_OF_MEMORY, &s));
    CHECK(std::string(s) == "CUDA_ERROR_OUT_OF_MEMORY", "error name %s", s);
    OK(cuGetErrorString(CUDA_ERROR_ILLEGAL_ADDRESS, &s));
    CHECK(std::string(s) == "an illegal memory access was encountered", "error string %s", s);
}

static void test_memory() {
    CUdeviceptr a = 0, b = 0, c = 0;
    OK(cuMemAlloc(&a, 40 << 20));
    size_t free = 0, total = 0;
    OK(cuMemGetInfo(&free, &total));
    CHECK(free == (size_t) 24 << 20 && total == (size_t) 64 << 20, "free %zu total %zu after 40 MiB", free, total);
    CHECK(cuMemAlloc(&b, 30 << 20) == CUDA_ERROR_OUT_OF_MEMORY, "30 MiB more than the 64 MiB capacity allowed");
    OK(cuMemAlloc(&c, 20 << 20));
    CHECK(cuMemAlloc(&b, 0) == CUDA_ERROR_INVALID_VALUE, "cuMemAlloc of 0 bytes allowed");
    OK(cuMemFree(a));
    CUresult twice = CUDA_SUCCESS;
    std::string err = stderr_of([&] { twice = cuMemFree(a); });
    CHECK(twice == CUDA_ERROR_INVALID_VALUE, "double free returned %d", twice);
    CHECK(err.find("cuMemFree_v2: double free of 0x") != std::string::npos, "double free not reported: '%s'", err.c_str());
    OK(cuMemAlloc(&b, 30 << 20));
    err = stderr_of([&] { twice = cuMemFree(b + 8); });
    CHECK(twice == CUDA_ERROR_INVALID_VALUE && err.find("is not the start of a live device allocation") != std::string::npos,
          "free of an inner pointer: %d '%s'", twice, err.c_str());
    OK(cuMemFree(b));
    OK(cuMemFree(c));
    void *h = nullptr;
    OK(cuMemHostAlloc(&h, 4096, CU_MEMHOSTALLOC_PORTABLE));
    OK(cuMemFreeHost(h));
    CHECK(cuMemFreeHost(h) == CUDA_ERROR_INVALID_VALUE, "double cuMemFreeHost allowed");
}

static void test_fill(CUmodule elementwise) {
    CUfunction fill;
    OK(cuModuleGetFunction(&fill, elementwise, "fill_f32"));
    const int n = 1000;
    CUdeviceptr y;
    OK(cuMemAlloc(&y, (n + 8) * sizeof(float)));
    std::vector<float> host(n + 8, 0.f);
    OK(cuMemcpyHtoDAsync(y, host.data(), host.size() * sizeof(float), nullptr));
    float v = 2.5f;
    int count = n;
    void *params[] = {&y, &count, &v, nullptr};
    OK(cuLaunchKernel(fill, 2, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr));   // 512 threads, grid-stride over 1000
    OK(cuMemcpyDtoHAsync(host.data(), y, host.size() * sizeof(float), nullptr));
    OK(cuStreamSynchronize(nullptr));
    int bad = 0;
    for (int i = 0; i < n + 8; i++) bad += host[i] != (i < n ? 2.5f : 0.f);
    CHECK(bad == 0, "fill_f32: %d elements differ from the reference", bad);
    void *short_params[] = {&y, &count, nullptr};
    CUresult r = CUDA_SUCCESS;
    std::string err = stderr_of([&] { r = cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, short_params, nullptr); });
    CHECK(r == CUDA_ERROR_INVALID_VALUE, "a launch with 2 of 3 parameters returned %d", r);
    CHECK(err.find("cuLaunchKernel(fill_f32)") != std::string::npos && err.find("declares 3") != std::string::npos,
          "wrong parameter count not reported naming the kernel: '%s'", err.c_str());
    void *long_params[] = {&y, &count, &v, &v, nullptr};
    err = stderr_of([&] { r = cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, long_params, nullptr); });
    CHECK(r == CUDA_ERROR_INVALID_VALUE && err.find("cuLaunchKernel(fill_f32): more than 3") != std::string::npos,
          "a launch with 4 parameters: %d '%s'", r, err.c_str());
    err = stderr_of([&] { r = cuLaunchKernel(fill, 1, 1, 1, 2048, 1, 1, 0, nullptr, params, nullptr); });
    CHECK(r == CUDA_ERROR_INVALID_VALUE && err.find("outside the device limits") != std::string::npos, "block of 2048 threads: %d", r);
    OK(cuMemFree(y));
}

static void test_weighted_sum_gw(CUmodule ws) {
    CUfunction partial, final_;
    OK(cuModuleGetFunction(&partial, ws, "weighted_sum_bwd_gw_partial_f32"));
    OK(cuModuleGetFunction(&final_, ws, "weighted_sum_bwd_gw_final_f32"));
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1, 1);
    for (int n : {1, 300, 20000}) {
        const int K = 3;
        int blocks = std::min(256, std::max(1, (n + 8191) / 8192));
        std::vector<std::vector<float>> xs(K, std::vector<float>(n));
        std::vector<float> gy(n);
        for (auto &x : xs) for (auto &v : x) v = u(rng);
        for (auto &v : gy) v = u(rng);
        CUdeviceptr dgy, dx[8] = {}, dpart, dgw;
        OK(cuMemAlloc(&dgy, n * 4));
        OK(cuMemcpyHtoDAsync(dgy, gy.data(), n * 4, nullptr));
        for (int k = 0; k < K; k++) { OK(cuMemAlloc(&dx[k], n * 4)); OK(cuMemcpyHtoDAsync(dx[k], xs[k].data(), n * 4, nullptr)); }
        OK(cuMemAlloc(&dpart, K * blocks * 8));
        OK(cuMemAlloc(&dgw, K * 4));
        int kk = K, nn = n, nb = blocks;
        void *p1[] = {&dpart, &dgy, &dx[0], &dx[1], &dx[2], &dx[3], &dx[4], &dx[5], &dx[6], &dx[7], &kk, &nn, nullptr};
        OK(cuLaunchKernel(partial, blocks, 1, 1, 256, 1, 1, 0, nullptr, p1, nullptr));
        void *p2[] = {&dgw, &dpart, &nb, nullptr};
        OK(cuLaunchKernel(final_, K, 1, 1, 256, 1, 1, 0, nullptr, p2, nullptr));
        float gw[K];
        OK(cuMemcpyDtoHAsync(gw, dgw, sizeof gw, nullptr));
        OK(cuStreamSynchronize(nullptr));
        for (int k = 0; k < K; k++) {
            double r = 0;
            for (int i = 0; i < n; i++) r += (double) gy[i] * xs[k][i];
            CHECK(std::fabs(r - gw[k]) <= 1e-6 * (1 + std::fabs(r)), "gw n=%d k=%d: %.9g vs reference %.9g", n, k, gw[k], r);
        }
        // The stage-1 partial of block 0 is the fixed tree over 256 threads: without a real barrier
        // (threads run one after another) thread 0 would read its neighbours' slots before they are written.
        std::vector<double> part(K * blocks);
        OK(cuMemcpyDtoHAsync(part.data(), dpart, part.size() * 8, nullptr));
        double ref0 = 0;
        for (int i = 0; i < n; i += 1) if ((i / 256) % blocks == 0) ref0 += (double) gy[i] * xs[0][i];
        CHECK(std::fabs(part[0] - ref0) <= 1e-9 * (1 + std::fabs(ref0)), "partial block 0 n=%d: %.12g vs %.12g", n, part[0], ref0);
        for (int k = 0; k < K; k++) OK(cuMemFree(dx[k]));
        OK(cuMemFree(dgy)); OK(cuMemFree(dpart)); OK(cuMemFree(dgw));
    }
}

static void test_capture(CUmodule elementwise) {
    CUfunction fill, unary;
    OK(cuModuleGetFunction(&fill, elementwise, "fill_f32"));
    OK(cuModuleGetFunction(&unary, elementwise, "unary_f32"));
    CUstream s;
    OK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    const int n = 300;
    CUdeviceptr y;
    OK(cuMemAlloc(&y, n * 4));
    OK(cuMemsetD32Async(y, 0, n, s));
    float out[n];
    OK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    float v = 2.f, scale = 3.f;
    int count = n, op_mul = 6, op_add = 5;
    void *pf[] = {&y, &count, &v, nullptr};
    OK(cuLaunchKernel(fill, 2, 1, 1, 256, 1, 1, 0, s, pf, nullptr));
    v = 100.f;                                                          // copied at record time: not seen by the replay
    void *pm[] = {&y, &y, &count, &op_mul, &scale, nullptr};
    OK(cuLaunchKernel(unary, 1, 1, 1, 128, 1, 1, 0, s, pm, nullptr));
    float one = 1.f;
    void *pa[] = {&y, &y, &count, &op_add, &one, nullptr};
    OK(cuLaunchKernel(unary, 1, 1, 1, 128, 1, 1, 0, s, pa, nullptr));
    OK(cuMemcpyDtoHAsync(out, y, sizeof out, s));
    CUdeviceptr extra = 0;
    CHECK(cuMemAlloc(&extra, 256) == CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuMemAlloc during a global capture allowed");
    CUgraph graph = nullptr;
    CHECK(cuStreamEndCapture(s, &graph) == CUDA_ERROR_STREAM_CAPTURE_INVALIDATED && graph == nullptr,
          "the capture was not invalidated by cuMemAlloc");
    // Capture again, cleanly.
    std::memset(out, 0, sizeof out);
    v = 2.f;
    OK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    OK(cuLaunchKernel(fill, 2, 1, 1, 256, 1, 1, 0, s, pf, nullptr));
    v = 100.f;
    OK(cuLaunchKernel(unary, 1, 1, 1, 128, 1, 1, 0, s, pm, nullptr));
    OK(cuLaunchKernel(unary, 1, 1, 1, 128, 1, 1, 0, s, pa, nullptr));
    OK(cuMemcpyDtoHAsync(out, y, sizeof out, s));
    OK(cuStreamEndCapture(s, &graph));
    float probe[n];
    OK(cuMemcpyDtoHAsync(probe, y, sizeof probe, s));
    OK(cuStreamSynchronize(s));
    CHECK(probe[0] == 0.f && out[0] == 0.f, "captured work ran at capture: %g %g", probe[0], out[0]);
    CUgraphExec exec;
    OK(cuGraphInstantiateWithFlags(&exec, graph, 0));
    OK(cuGraphDestroy(graph));                                          // the executable graph is independent
    for (int rep = 0; rep < 2; rep++) {
        OK(cuMemsetD32Async(y, 0, n, s));
        OK(cuGraphLaunch(exec, s));
        OK(cuStreamSynchronize(s));
        int bad = 0;
        for (int i = 0; i < n; i++) bad += out[i] != 7.f;               // (2·3)+1 in order; (2+1)·3 = 9 out of order
        CHECK(bad == 0, "replay %d: %d elements differ from (2·3)+1 (out[0] = %g)", rep, bad, out[0]);
    }
    OK(cuGraphExecDestroy(exec));
    // Synchronising a capturing stream is refused and invalidates the capture.
    OK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CHECK(cuStreamSynchronize(s) == CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuStreamSynchronize of a capturing stream allowed");
    CHECK(cuCtxSynchronize() == CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuCtxSynchronize during capture allowed");
    CHECK(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, s, pf, nullptr) == CUDA_ERROR_STREAM_CAPTURE_INVALIDATED,
          "work after invalidation accepted");
    CHECK(cuStreamEndCapture(s, &graph) == CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "invalidated capture ended cleanly");
    CHECK(cuStreamBeginCapture(nullptr, CU_STREAM_CAPTURE_MODE_GLOBAL) == CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED,
          "capture of the legacy stream allowed");
    CHECK(cuStreamEndCapture(s, &graph) == CUDA_ERROR_ILLEGAL_STATE, "end of a capture never begun");
    // Relaxed mode allows cuMemAlloc.
    OK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_RELAXED));
    OK(cuMemAlloc(&extra, 256));
    OK(cuStreamEndCapture(s, &graph));
    OK(cuGraphDestroy(graph));
    OK(cuMemFree(extra));
    // Events: timing of recorded events; a captured event cannot be waited for.
    CUevent e0, e1;
    OK(cuEventCreate(&e0, CU_EVENT_DEFAULT));
    OK(cuEventCreate(&e1, CU_EVENT_DEFAULT));
    float ms = -1;
    CHECK(cuEventElapsedTime(&ms, e0, e1) == CUDA_ERROR_INVALID_HANDLE, "elapsed time of unrecorded events");
    OK(cuEventRecord(e0, s));
    OK(cuLaunchKernel(fill, 2, 1, 1, 256, 1, 1, 0, s, pf, nullptr));
    OK(cuEventRecord(e1, s));
    OK(cuEventSynchronize(e1));
    OK(cuEventElapsedTime(&ms, e0, e1));
    CHECK(ms >= 0.f, "elapsed %g ms", ms);
    OK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    OK(cuEventRecord(e1, s));
    CHECK(cuEventSynchronize(e1) == CUDA_ERROR_CAPTURED_EVENT, "synchronize on a captured event allowed");
    OK(cuStreamEndCapture(s, &graph));
    OK(cuGraphDestroy(graph));
    OK(cuEventDestroy(e0));
    OK(cuEventDestroy(e1));
    OK(cuMemFree(y));
    OK(cuStreamDestroy(s));
}

static void test_ptx_versions(const std::string &ptx) {
    char err[512] = {}, info[512] = {};
    CUjit_option opts[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_INFO_LOG_BUFFER,
                           CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
    void *vals[] = {err, (void *) (uintptr_t) sizeof err, info, (void *) (uintptr_t) sizeof info};
    CUmodule m;
    setenv("ADL_MOCK_GPU_DRIVER_VERSION", "12000", 1);
    CUresult lowered = cuModuleLoadDataEx(&m, ptx.c_str(), 4, opts, vals);
    CHECK(lowered == CUDA_SUCCESS, "the committed (lowered) PTX does not load on driver 12000: %d '%s'", lowered, err);
    if (lowered == CUDA_SUCCESS) OK(cuModuleUnload(m));
    vals[1] = (void *) (uintptr_t) sizeof err;
    vals[3] = (void *) (uintptr_t) sizeof info;
    std::string v90 = with_version(ptx, "9.0");
    CUresult r = cuModuleLoadDataEx(&m, v90.c_str(), 4, opts, vals);
    CHECK(r == CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "PTX 9.0 on driver 12000 returned %d", r);
    CHECK(std::strstr(err, "Unsupported .version 9.0") && (uintptr_t) vals[1] == std::strlen(err) + 1,
          "error log '%s' (%zu bytes)", err, (size_t) (uintptr_t) vals[1]);
    std::string v78 = with_version(ptx, "7.8");
    vals[1] = (void *) (uintptr_t) sizeof err;
    vals[3] = (void *) (uintptr_t) sizeof info;
    r = cuModuleLoadDataEx(&m, v78.c_str(), 4, opts, vals);
    CHECK(r == CUDA_SUCCESS && std::strstr(info, "PTX ISA 7.8"), "PTX 7.8 on driver 12000: %d, info log '%s'", r, info);
    if (r == CUDA_SUCCESS) OK(cuModuleUnload(m));
    unsetenv("ADL_MOCK_GPU_DRIVER_VERSION");
    vals[1] = (void *) (uintptr_t) sizeof err;
    std::string broken = ptx.substr(0, ptx.rfind('}'));
    r = cuModuleLoadDataEx(&m, broken.c_str(), 4, opts, vals);
    CHECK(r == CUDA_ERROR_INVALID_PTX && std::strstr(err, "unbalanced braces"), "truncated PTX: %d '%s'", r, err);
    vals[1] = (void *) (uintptr_t) sizeof err;
    r = cuModuleLoadDataEx(&m, "not PTX at all", 4, opts, vals);
    CHECK(r == CUDA_ERROR_INVALID_PTX && std::strstr(err, "no .version"), "text without .version: %d '%s'", r, err);
    // An entry whose .param list disagrees with the host kernel is refused by name.
    std::string wrong = ptx;
    size_t at = wrong.find("fill_f32_param_1");
    size_t ty = wrong.rfind(".u32", at);
    wrong.replace(ty, 4, ".u64");
    m = load(wrong);
    CUfunction f;
    std::string log = stderr_of([&] { r = cuModuleGetFunction(&f, m, "fill_f32"); });
    CHECK(r != CUDA_SUCCESS && log.find("cuModuleGetFunction(fill_f32)") != std::string::npos, "size mismatch: %d '%s'", r, log.c_str());
    CHECK(cuModuleGetFunction(&f, m, "no_such_kernel") == CUDA_ERROR_NOT_FOUND, "unknown entry found");
    OK(cuModuleUnload(m));
}

static void test_speed(CUmodule elementwise, CUmodule ws) {
    CUfunction fill;
    OK(cuModuleGetFunction(&fill, elementwise, "fill_f32"));
    CUdeviceptr y;
    OK(cuMemAlloc(&y, 1024));
    float v = 1.f;
    int n = 256;
    void *p[] = {&y, &n, &v, nullptr};
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 10000; i++) OK(cuLaunchKernel(fill, 1, 1, 1, 256, 1, 1, 0, nullptr, p, nullptr));
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / 10000;
    std::printf("mock_driver_test: fill_f32 of 256 elements (1 block of 256 threads): %.2f us per launch\n", us);
    CUfunction partial;
    OK(cuModuleGetFunction(&partial, ws, "weighted_sum_bwd_gw_partial_f32"));
    CUdeviceptr x, part;
    OK(cuMemAlloc(&x, 1024));
    OK(cuMemAlloc(&part, 8 * 8));
    OK(cuMemsetD32Async(x, 0, 256, nullptr));
    int K = 8;
    void *pp[] = {&part, &x, &x, &x, &x, &x, &x, &x, &x, &x, &K, &n, nullptr};
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; i++) OK(cuLaunchKernel(partial, 1, 1, 1, 256, 1, 1, 0, nullptr, pp, nullptr));
    us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / 1000;
    std::printf("mock_driver_test: weighted_sum_bwd_gw_partial_f32, K 8, n 256 (256 fibers, 80 barriers): %.2f us per launch\n", us);
    OK(cuMemFree(x));
    OK(cuMemFree(part));
    OK(cuMemFree(y));
}

// Last: a freed pointer in a launch is refused naming the kernel and parameter; the error is
// sticky; the leak report at the last context release.
static void test_use_after_free_and_leak(CUmodule elementwise, CUdevice dev) {
    CUfunction fill;
    OK(cuModuleGetFunction(&fill, elementwise, "fill_f32"));
    CUdeviceptr y, leaked;
    OK(cuMemAlloc(&y, 1024));
    OK(cuMemAlloc(&leaked, 1000));
    OK(cuMemFree(y));
    float v = 1.f;
    int n = 256;
    void *p[] = {&y, &n, &v, nullptr};
    CUresult r = CUDA_SUCCESS;
    std::string err = stderr_of([&] { r = cuLaunchKernel(fill, 1, 1, 1, 256, 1, 1, 0, nullptr, p, nullptr); });
    CHECK(r == CUDA_ERROR_ILLEGAL_ADDRESS, "launch with a freed pointer returned %d", r);
    CHECK(err.find("cuLaunchKernel(fill_f32): parameter 0") != std::string::npos && err.find("use of freed memory") != std::string::npos,
          "use of freed memory not reported: '%s'", err.c_str());
    CHECK(cuStreamSynchronize(nullptr) == CUDA_ERROR_ILLEGAL_ADDRESS, "the launch error is not sticky");
    std::string report = "/tmp/adlmock_report_" + std::to_string(getpid());
    setenv("ADL_MOCK_GPU_REPORT", report.c_str(), 1);
    err = stderr_of([&] { OK(cuDevicePrimaryCtxRelease(dev)); });
    char want[128];
    std::snprintf(want, sizeof want, "adl mock GPU: leak: 1000 bytes at 0x%llx (allocated by cuMemAlloc_v2 #", (unsigned long long) leaked);
    CHECK(err.find(want) != std::string::npos, "leak not reported: '%s'", err.c_str());
    std::string file = read_file(report);
    CHECK(file.find("live allocations: 1, bytes: 1000") != std::string::npos, "report file: '%s'", file.c_str());
    // A fresh context: no sticky error, nothing live, the report file empty at release.
    CUcontext ctx;
    OK(cuDevicePrimaryCtxRetain(&ctx, dev));
    OK(cuCtxSetCurrent(ctx));
    OK(cuCtxSynchronize());
    OK(cuDevicePrimaryCtxRelease(dev));
    CHECK(read_file(report).empty(), "report after a clean release: '%s'", read_file(report).c_str());
    unlink(report.c_str());
}

int main(int argc, char **argv) {
    if (argc != 2) { std::fprintf(stderr, "usage: mock_driver_test KERNELS_PTX_DIR\n"); return 2; }
    dir = argv[1];
    setenv("ADL_MOCK_GPU_MEMORY_MB", "64", 1);
    unsetenv("ADL_MOCK_GPU_DRIVER_VERSION");
    unsetenv("ADL_MOCK_GPU_REPORT");
    OK(cuInit(0));
    CUdevice dev;
    OK(cuDeviceGet(&dev, 0));
    CUcontext ctx;
    OK(cuDevicePrimaryCtxRetain(&ctx, dev));
    OK(cuCtxSetCurrent(ctx));
    test_identity();
    test_memory();
    std::string ew = read_file(dir + "/elementwise.ptx"), ws = read_file(dir + "/weighted_sum.ptx");
    CHECK(!ew.empty() && !ws.empty(), "kernels-ptx not found under %s", dir.c_str());
    CUmodule mew = load(ew), mws = load(ws);
    test_fill(mew);
    test_weighted_sum_gw(mws);
    test_capture(mew);
    test_ptx_versions(ew);
    test_speed(mew, mws);
    test_use_after_free_and_leak(mew, dev);
    std::printf("mock_driver_test: checks=%d failed=%d\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
