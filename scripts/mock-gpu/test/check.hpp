// check.hpp — the shared checks and helpers of the mock driver's self-test (mock_driver_test.cpp,
// capture_test.cpp).
#pragma once
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

extern int checks, failed;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failed++; std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    std::printf(__VA_ARGS__); std::printf("\n"); } } while (0)
#define OK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { const char *n_ = "?"; cuGetErrorName(r_, &n_); \
    std::printf("FATAL %s:%d: %s = %s\n", __FILE__, __LINE__, #call, n_); std::exit(2); } } while (0)

inline std::string read_file(const std::string &path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs f with stderr redirected to a file; returns what it wrote.
inline std::string stderr_of(const std::function<void()> &f) {
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

inline CUmodule load(const std::string &ptx) {
    CUmodule m;
    OK(cuModuleLoadDataEx(&m, ptx.c_str(), 0, nullptr, nullptr));
    return m;
}

inline std::string with_version(std::string ptx, const char *version) {
    size_t p = ptx.find(".version ");
    size_t e = ptx.find('\n', p);
    return ptx.replace(p, e - p, std::string(".version ") + version);
}

void test_capture(CUmodule elementwise);
