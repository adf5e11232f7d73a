/*
 * adl mock GPU — the internal contract between the mock driver (libcuda.so.1) and the mock
 * libraries that run on its streams (libcudnn.so.9, libcublas.so.13).
 *
 * The mock driver exports these adlmock_* functions next to the real driver API. The mock cuDNN
 * and cuBLAS link against libcuda.so.1 and use only this header plus cuda.h; they never call into
 * the project's Java code (an independent reading of NVIDIA's documentation, or parity proves
 * nothing).
 *
 * Model: device memory is host memory (a CUdeviceptr is the host address of the block), every
 * block is tracked by the driver. Work on a stream runs when it is enqueued (streams are in-order,
 * so this is one legal schedule), except while the stream is capturing: then the work is recorded
 * into the capture graph and runs at each cuGraphLaunch, in order.
 */
/*
 * NOTE from the driver side (engineer A, issue 13), for the mock cuDNN/cuBLAS — the contract below
 * is unchanged; these are facts of the driver as built:
 * - scripts/mock-gpu/build.sh builds OUTDIR/libcuda.so.1 first, then runs dnn/build.sh OUTDIR
 *   (ADL_MOCK_GPU_DRIVER_ONLY=1 skips the dnn part). Only cu* and adlmock_* are exported.
 * - cuMemAlloc fills new device memory with 0xFF bytes (a NaN as float): a read of memory nobody
 *   wrote shows up as NaN. Allocations are 256-byte aligned.
 * - Errors are sticky as on a GPU: once adlmock_device_ptr (or a kernel launch) found a bad
 *   pointer, the context's error is CUDA_ERROR_ILLEGAL_ADDRESS and every later call that needs
 *   the context returns it, until the last cuDevicePrimaryCtxRelease. adlmock_enqueue returns it
 *   without running the work (and releases arg).
 * - Work runs under the driver's one (recursive) lock; run() may call adlmock_device_ptr.
 * - At the last primary context release each live block is one stderr line
 *   "adl mock GPU: leak: N bytes at 0x.. (allocated by cuMemAlloc_v2 #k)", and ADL_MOCK_GPU_REPORT
 *   gets the same lines plus "live allocations: C, bytes: B" (an empty file when none).
 * - Profile of a short search on the mock (perf, crop 32, before the mock cuDNN's stride rework):
 *   libcudnn.so.9 `run` ~30% of all samples, the driver and every hand-written kernel together < 2%.
 */
#ifndef ADL_MOCK_H
#define ADL_MOCK_H

#include <stddef.h>
#include <cuda.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A unit of stream work: run(arg) executes it; release(arg) frees arg when the work (or the graph
 * that recorded it) is done with it. arg must hold everything by value (descriptors, alpha/beta
 * snapshotted at enqueue time), and device pointers as CUdeviceptr values. */
typedef void (*adlmock_fn)(void *arg);

/* Enqueues work on stream s (0 = the legacy default stream) of the current context. Runs it now, or
 * records it when s is capturing. `what` names the call for error messages (e.g.
 * "cudnnConvolutionForward"). Returns CUDA_SUCCESS, or the error of a failed run (also made the
 * context's sticky error where the real driver would). Takes ownership of arg in every case. */
CUresult adlmock_enqueue(CUstream s, const char *what, adlmock_fn run, void *arg, adlmock_fn release);

/* Host address of device range [p, p + bytes), which must lie inside one live allocation; a null p
 * with bytes == 0 is allowed and returns NULL. Otherwise reports "adl mock GPU: <what>: ..." (use of
 * freed memory, out of bounds, unknown pointer) on stderr, sets the context's sticky error
 * CUDA_ERROR_ILLEGAL_ADDRESS and returns NULL: callers return at once when it is NULL with bytes > 0. */
void *adlmock_device_ptr(CUdeviceptr p, size_t bytes, const char *what);

/* Reports a problem the mock found ("adl mock GPU: " + message on stderr, one line). */
void adlmock_report(const char *fmt, ...);

/* 1 while stream s is capturing into a graph, else 0. */
int adlmock_stream_capturing(CUstream s);

#ifdef __cplusplus
}
#endif
#endif
