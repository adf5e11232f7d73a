/*
 * Self-test of the mock NCCL (../nccl.c) with 2 processes (fork) on the mock driver: the grouped
 * in-place all-reduce of a float32 and a float64 buffer larger than the shared-memory slot (so they
 * cross it in pieces) gives a + b exactly on both ranks, a broadcast from rank 1 reaches rank 0, and
 * the errors: an unsupported reduction, a foreign unique id, a freed device pointer.
 * Prints "mock_nccl_test: checks=N failed=F"; exit status 0 only when nothing failed.
 * The nccl.h declarations it needs are repeated here (from NCCL's documentation).
 */
#define _GNU_SOURCE
#include <cuda.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct { char internal[128]; } ncclUniqueId;
typedef struct ncclComm *ncclComm_t;
typedef int ncclResult_t;
enum { ncclSuccess = 0, ncclInvalidArgument = 4 };
enum { ncclInt32 = 2, ncclFloat32 = 7, ncclFloat64 = 8 };
enum { ncclSum = 0, ncclProd = 1 };
ncclResult_t ncclGetUniqueId(ncclUniqueId *);
ncclResult_t ncclCommInitRank(ncclComm_t *, int, ncclUniqueId, int);
ncclResult_t ncclCommDestroy(ncclComm_t);
ncclResult_t ncclAllReduce(const void *, void *, size_t, int, int, ncclComm_t, CUstream);
ncclResult_t ncclBroadcast(const void *, void *, size_t, int, int, ncclComm_t, CUstream);
ncclResult_t ncclGroupStart(void);
ncclResult_t ncclGroupEnd(void);
const char *ncclGetErrorString(ncclResult_t);

static int checks, failed;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failed++; fprintf(stderr, "rank %d: FAILED %s:%d: ", rank, __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static int rank;

static int run(ncclUniqueId id) {
    CUdevice dev;
    CUcontext ctx;
    CUstream s;
    CHECK(cuInit(0) == CUDA_SUCCESS && cuDeviceGet(&dev, rank) == CUDA_SUCCESS, "cuDeviceGet(%d) with ADL_MOCK_GPU_COUNT=2", rank);
    CHECK(cuDevicePrimaryCtxRetain(&ctx, dev) == CUDA_SUCCESS && cuCtxSetCurrent(ctx) == CUDA_SUCCESS, "context");
    CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING) == CUDA_SUCCESS, "stream");
    ncclComm_t comm;
    CHECK(ncclCommInitRank(&comm, 2, id, rank) == ncclSuccess, "ncclCommInitRank");
    size_t n = (200u << 10) + 7; /* 800 KiB of float32 and 1.6 MiB of float64: pieces of the 64 KiB slot */
    float *hf = malloc(n * sizeof *hf), *rf = malloc(n * sizeof *rf);
    double *hd = malloc(n * sizeof *hd), *rd = malloc(n * sizeof *rd);
    for (size_t i = 0; i < n; i++) {
        hf[i] = (float) ((i % 977) * 0.1f + (rank + 1) * 1e-3f * (float) (i % 13));
        hd[i] = (i % 991) * 0.01 + (rank + 1) * 1e-7 * (double) (i % 17);
    }
    CUdeviceptr df, dd;
    CHECK(cuMemAlloc(&df, n * sizeof *hf) == CUDA_SUCCESS && cuMemAlloc(&dd, n * sizeof *hd) == CUDA_SUCCESS, "cuMemAlloc");
    cuMemcpyHtoDAsync(df, hf, n * sizeof *hf, s);
    cuMemcpyHtoDAsync(dd, hd, n * sizeof *hd, s);
    CHECK(ncclGroupStart() == ncclSuccess, "group start");
    CHECK(ncclAllReduce((void *) df, (void *) df, n, ncclFloat32, ncclSum, comm, s) == ncclSuccess, "float32 all-reduce");
    CHECK(ncclAllReduce((void *) dd, (void *) dd, n, ncclFloat64, ncclSum, comm, s) == ncclSuccess, "float64 all-reduce");
    CHECK(ncclGroupEnd() == ncclSuccess, "group end");
    cuMemcpyDtoHAsync(rf, df, n * sizeof *rf, s);
    cuMemcpyDtoHAsync(rd, dd, n * sizeof *rd, s);
    cuStreamSynchronize(s);
    size_t badf = 0, badd = 0;
    for (size_t i = 0; i < n; i++) {
        float a0 = (float) ((i % 977) * 0.1f + 1e-3f * (float) (i % 13)), a1 = (float) ((i % 977) * 0.1f + 2e-3f * (float) (i % 13));
        double d0 = (i % 991) * 0.01 + 1e-7 * (double) (i % 17), d1 = (i % 991) * 0.01 + 2e-7 * (double) (i % 17);
        float ef = a0 + a1;
        double ed = d0 + d1;
        if (memcmp(&rf[i], &ef, sizeof ef) != 0) badf++;
        if (memcmp(&rd[i], &ed, sizeof ed) != 0) badd++;
    }
    CHECK(badf == 0, "float32 sums differ from a + b at %zu of %zu elements", badf, n);
    CHECK(badd == 0, "float64 sums differ from a + b at %zu of %zu elements", badd, n);

    int hi[5] = {rank, rank * 10, rank * 100, -rank, 42 + rank}, ri[5];
    CUdeviceptr di;
    cuMemAlloc(&di, sizeof hi);
    cuMemcpyHtoDAsync(di, hi, sizeof hi, s);
    CHECK(ncclBroadcast((void *) di, (void *) di, 5, ncclInt32, 1, comm, s) == ncclSuccess, "broadcast");
    cuMemcpyDtoHAsync(ri, di, sizeof ri, s);
    cuStreamSynchronize(s);
    CHECK(ri[0] == 1 && ri[1] == 10 && ri[2] == 100 && ri[3] == -1 && ri[4] == 43, "broadcast from rank 1: %d %d %d %d %d", ri[0], ri[1], ri[2], ri[3], ri[4]);

    CHECK(ncclAllReduce((void *) df, (void *) df, n, ncclFloat32, ncclProd, comm, s) == ncclInvalidArgument, "ncclProd is refused");
    CHECK(strstr(ncclGetErrorString(ncclInvalidArgument), "invalid argument") != NULL, "error text: %s", ncclGetErrorString(ncclInvalidArgument));
    ncclUniqueId foreign;
    memset(&foreign, 7, sizeof foreign);
    ncclComm_t other;
    CHECK(ncclCommInitRank(&other, 2, foreign, rank) == ncclInvalidArgument, "a unique id not made by ncclGetUniqueId is refused");
    CHECK(ncclCommDestroy(comm) == ncclSuccess, "ncclCommDestroy");
    cuMemFree(df);
    cuMemFree(dd);
    cuMemFree(di);
    cuStreamDestroy(s);
    cuDevicePrimaryCtxRelease(dev);
    free(hf); free(rf); free(hd); free(rd);
    printf("mock_nccl_test: rank %d checks=%d failed=%d\n", rank, checks, failed);
    fflush(stdout);
    return failed == 0 ? 0 : 1;
}

int main(void) {
    setenv("ADL_MOCK_GPU_COUNT", "2", 1);
    setenv("ADL_MOCK_NCCL_SLOT_KB", "64", 1);
    setenv("ADL_MOCK_NCCL_TIMEOUT_S", "60", 1);
    ncclUniqueId id;
    rank = 0;
    if (ncclGetUniqueId(&id) != ncclSuccess) { fprintf(stderr, "ncclGetUniqueId failed\n"); return 1; }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        rank = 1;
        _exit(run(id)); /* the id travelled to rank 1 by value, as MPI_Bcast would carry it */
    }
    int mine = run(id), status = 0;
    waitpid(child, &status, 0);
    int ok = mine == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("mock_nccl_test: checks=%d failed=%d (rank 1 %s)\n", checks, failed + !ok * (failed == 0), ok ? "passed" : "failed");
    return ok ? 0 : 1;
}
