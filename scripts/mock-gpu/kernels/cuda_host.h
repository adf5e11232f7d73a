// cuda_host.h — compiles the project's CUDA C kernels (native-kernels/*.cu) as host C++ for the
// mock driver (grown from native-kernels/emu's shims). Included before a .cu file; provides the
// CUDA built-ins the kernels use with their CUDA meaning:
//   threadIdx, blockIdx (uint3) and blockDim, gridDim (dim3): set by the mock's executor for each
//     simulated thread (driver/exec.cpp); read-only for kernels.
//   __syncthreads(): the block barrier (PTX bar.sync 0). Only kernels whose PTX holds bar.sync run
//     on fibers that can wait at it; the others run thread after thread.
//   __shared__: one static per kernel variable, shared by the threads of the block that runs (blocks
//     run one after another under the driver lock).
//   float4 (16-byte aligned, like CUDA's vector type), make_float4, the IEEE round-to-nearest
//     intrinsics (__fmul_rn, __fadd_rn, ...: plain float operations here, compiled with
//     -ffp-contract=off so nothing is fused), fmaxf, exp, log, pow, sqrt from the host libm (the
//     device math library may differ in the last bit: docs/05f-mock-gpu.md §3).
#pragma once
#include <math.h>
#include <cmath>
#include <cstdint>

struct uint3 { unsigned int x, y, z; };
struct dim3 { unsigned int x, y, z; };

extern "C" {
extern uint3 adlmock_threadIdx, adlmock_blockIdx;
extern dim3 adlmock_blockDim, adlmock_gridDim;
void adlmock_syncthreads(void);
}
#define threadIdx adlmock_threadIdx
#define blockIdx adlmock_blockIdx
#define blockDim adlmock_blockDim
#define gridDim adlmock_gridDim

static inline void __syncthreads() { adlmock_syncthreads(); }

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __shared__ static
#define __restrict__ __restrict

struct alignas(16) float4 { float x, y, z, w; };
static inline float4 make_float4(float a, float b, float c, float d) { return float4{a, b, c, d}; }

static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float a) { return std::sqrt(a); }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
using std::min;
using std::max;
