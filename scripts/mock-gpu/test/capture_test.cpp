// capture_test.cpp — stream capture on the mock driver: recorded work does not run at capture,
// replays run it in order with the parameters copied at record time, and the calls capture forbids
// (cuMemAlloc in global mode, synchronising the capturing stream or the context, waiting for a
// captured event, capturing the legacy stream) return their documented errors and invalidate it.
#include "check.hpp"
#include <thread>

void test_capture(CUmodule elementwise) {
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
    // Modes across threads (cuThreadExchangeStreamCaptureMode): a global capture forbids cuMemAlloc
    // on every thread, a thread-local one only on its own; a non-relaxed capture ends on its own thread.
    CUcontext ctx;
    OK(cuCtxGetCurrent(&ctx));
    auto on_other_thread = [&](const std::function<void()> &f) {
        std::thread t([&] { OK(cuCtxSetCurrent(ctx)); f(); });
        t.join();
    };
    CUresult other = CUDA_SUCCESS;
    OK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
    on_other_thread([&] { other = cuMemAlloc(&extra, 256); if (other == CUDA_SUCCESS) cuMemFree(extra); });
    CHECK(other == CUDA_SUCCESS, "cuMemAlloc on another thread during a thread-local capture returned %d", other);
    on_other_thread([&] { other = cuStreamEndCapture(s, &graph); });
    CHECK(other == CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD, "a thread-local capture ended from another thread: %d", other);
    OK(cuStreamEndCapture(s, &graph));
    OK(cuGraphDestroy(graph));
    OK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    on_other_thread([&] { other = cuMemAlloc(&extra, 256); });
    CHECK(other == CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuMemAlloc on another thread during a global capture returned %d", other);
    CHECK(cuStreamEndCapture(s, &graph) == CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "the global capture survived the other thread's cuMemAlloc");
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

