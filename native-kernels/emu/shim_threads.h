#include <cmath>
#include <cstdio>
#include <algorithm>
#include <barrier>
#include <thread>
#include <vector>
#include <functional>
using std::min; using std::max;
struct dim3s { unsigned x, y, z; };
static dim3s blockIdx{0,0,0}, gridDim{1,1,1}, blockDim{1,1,1};
static thread_local dim3s threadIdx{0,0,0};
static std::barrier<>* bar;
static inline void __syncthreads() { bar->arrive_and_wait(); }
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
struct float4 { float x, y, z, w; };
static inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float a) { return std::sqrt(a); }
// run a kernel body as G blocks of B real threads (blocks one after another)
static void run(unsigned G, unsigned B, std::function<void()> body) {
  gridDim.x = G; blockDim.x = B;
  for (unsigned b = 0; b < G; b++) {
    blockIdx.x = b; std::barrier<> br(B); bar = &br;
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < B; t++) ts.emplace_back([&, t] { threadIdx.x = t; body(); });
    for (auto& t : ts) t.join();
  }
}
