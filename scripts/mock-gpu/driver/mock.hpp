// mock.hpp — the mock driver's internal state, shared by its translation units (not exported).
//
// One device (ordinal 0), one primary context, device memory = host memory (a CUdeviceptr is the
// host address), streams run their work when it is enqueued unless they are capturing (then the
// work is recorded into the capture's graph and runs at each cuGraphLaunch). Every entry point
// takes the one driver lock (g_lock, recursive: mock cuDNN/cuBLAS work runs inside enqueue and
// calls adlmock_device_ptr). See scripts/mock-gpu/include/adl_mock.h for the contract with the
// mock cuDNN/cuBLAS and scripts/mock-gpu/README.md for what the mock checks and cannot check.
#pragma once
#include <cuda.h>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>
#include "adl_mock.h"

namespace adlmock {

extern std::recursive_mutex g_lock;
using Guard = std::lock_guard<std::recursive_mutex>;

// ---- identity (docs/05: compute capability 8.0, driver 13000 unless ADL_MOCK_GPU_DRIVER_VERSION) ----
int driver_version();
size_t capacity_bytes();
bool initialized();

// ---- context ----
struct Context { int refcount = 0; CUresult sticky = CUDA_SUCCESS; };
extern Context g_ctx;
CUresult need_context();          // NOT_INITIALIZED / INVALID_CONTEXT / the sticky error / SUCCESS
void set_sticky(CUresult r);
void release_all_state();         // at the last primary context release

// ---- memory ----
struct Block { size_t bytes; uint64_t serial; bool pinned; };
// The live block holding [p, p + bytes), or null; `why` gets a reason when null.
const Block* find_live(uintptr_t p, size_t bytes, std::string* why);
void report_leaks();
size_t live_device_bytes();

// ---- streams, events, graphs ----
// One unit of stream work (a kernel launch, a memset, a copy, or adlmock_enqueue'd work), holding
// everything it needs by value; released when its last owner (the eager call or a graph) is done.
struct Work {
    std::string what;
    adlmock_fn run = nullptr, release = nullptr;
    void *arg = nullptr;
    Work(std::string w, adlmock_fn r, void *a, adlmock_fn rel) : what(std::move(w)), run(r), release(rel), arg(a) {}
    ~Work() { if (release) release(arg); }
    Work(const Work &) = delete;
    Work &operator=(const Work &) = delete;
};
using WorkList = std::vector<std::shared_ptr<Work>>;

struct Graph { WorkList nodes; };
struct GraphExec { WorkList nodes; };

struct Stream {
    unsigned flags = 0;
    bool capturing = false, invalidated = false;
    CUstreamCaptureMode mode = CU_STREAM_CAPTURE_MODE_GLOBAL;
    uint64_t capture_thread = 0;
    Graph *graph = nullptr;        // the capture's graph while capturing
};
Stream *stream_of(CUstream s, CUresult *err);   // null handle → the legacy stream object
// Runs w now, or records it when s is capturing. Returns the launch's error (sticky when it is).
CUresult enqueue(CUstream s, std::shared_ptr<Work> w);
// Called by every "potentially unsafe" call (cuMemAlloc, ...) while a capture may be active:
// CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED (and the capture invalidated) when this thread may not.
CUresult unsafe_during_capture(const char *what);
// Called by calls that necessarily conflict with any capture (cuCtxSynchronize): invalidates every
// active capture and returns CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED when there was one.
CUresult conflicts_with_capture(const char *what);
uint64_t this_thread_id();

// ---- modules and kernels ----
struct HostKernel;
const HostKernel *find_host_kernel(const std::string &name);
// Runs a launch (blocks one after another); returns CUDA_SUCCESS or the error it found.
struct Launch;
CUresult run_launch(const Launch &l);

} // namespace adlmock
