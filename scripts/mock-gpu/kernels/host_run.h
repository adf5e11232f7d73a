// host_run.h — for host tests of the kernels (native-kernels/emu): run(G, B, body) runs body() as
// a 1-D launch of G blocks of B threads on the mock driver's executor (fibers, so __syncthreads is
// a real block barrier). Link with the mock driver's objects (OUTDIR/obj/driver_*.o).
#pragma once
#include "cuda_host.h"
#include <cstdio>
#include <cstdlib>
#include <functional>

int adlmock_host_run(unsigned grid, unsigned block, bool barrier, std::function<void()> *body);

static inline void run(unsigned G, unsigned B, std::function<void()> body) {
    if (adlmock_host_run(G, B, true, &body) != 0) { std::fprintf(stderr, "host run of %u x %u failed\n", G, B); std::exit(2); }
}

// Sets the built-ins for one simulated thread (for tests that call a kernel directly).
static inline void launch(unsigned g, unsigned b, unsigned bi, unsigned ti) {
    gridDim = dim3{g, 1, 1};
    blockDim = dim3{b, 1, 1};
    blockIdx = uint3{bi, 0, 0};
    threadIdx = uint3{ti, 0, 0};
}
