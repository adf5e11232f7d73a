// launch.hpp — one kernel launch held by value (recorded by graph capture as it is).
#pragma once
#include "mock.hpp"
#include "../kernels/registry.hpp"

namespace adlmock {

struct Launch {
    const HostKernel *hk = nullptr;
    bool barrier = false;              // the PTX entry uses bar.sync: threads run as fibers
    unsigned grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
    unsigned shared = 0;
    std::vector<std::max_align_t> storage;   // the parameter values, copied at enqueue
    void *slots[kMaxParams] = {};
};

} // namespace adlmock
