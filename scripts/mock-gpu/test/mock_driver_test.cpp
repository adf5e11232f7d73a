// mock_driver_test.cpp — checks the mock libcuda.so.1 through the real driver API (cuda.h):
// out of memory at the capacity, double free and leak reports, the project's real PTX launched
// with real arguments against plain references (fill_f32, a grid-stride kernel; the two-stage
// weighted-sum gw reduction, whose PTX has bar.sync), launches refused for a wrong parameter
// count or a freed pointer (naming the kernel), capture and in-order replay, the calls capture
// forbids, and the PTX ISA check with the JIT error log. Prints one line per failed check and
// "mock_driver_test: checks=N failed=M"; exits 1 when any failed.
// Usage: mock_driver_test KERNELS_PTX_DIR    (built and run by scripts/mock-gpu/test/run.sh)
#include "check.hpp"

int checks = 0, failed = 0;
static std::string dir;

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
