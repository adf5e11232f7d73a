/*
 * Mock NCCL 2 (libnccl.so.2) for the mock GPU: the calls adl-engine makes (docs/08-data-parallel.md §9),
 * written from NCCL's documented API (nccl.h of NCCL 2.x):
 *   ncclGetVersion, ncclGetUniqueId, ncclCommInitRank, ncclCommDestroy, ncclCommCount, ncclCommUserRank,
 *   ncclAllReduce, ncclBroadcast, ncclGroupStart, ncclGroupEnd, ncclGetErrorString.
 * Device memory is the mock driver's host-backed memory (adlmock_device_ptr), and each collective is
 * enqueued on the caller's stream (adlmock_enqueue), so it runs in stream order as on a GPU.
 *
 * Between processes: ncclGetUniqueId writes a random name into the 128-byte id; every rank of
 * ncclCommInitRank maps the POSIX shared memory /dev/shm/adl-mock-nccl-<name> (one header with a
 * barrier, then one slot of ADL_MOCK_NCCL_SLOT_KB KiB, default 8192, per rank). A collective moves the
 * buffer through the slots in pieces: each rank copies its piece into its slot, barrier, each rank
 * sums the slots in rank order 0, 1, ..., N-1 in the datatype's own arithmetic (so every rank gets
 * the same bits; for 2 ranks a + b, the sum real NCCL gives too), barrier. After every rank has
 * joined, rank 0 unlinks the name, so nothing is left in /dev/shm even after a crash. A barrier that
 * waits longer than ADL_MOCK_NCCL_TIMEOUT_S seconds (default 300) for a rank that is gone returns
 * ncclRemoteError instead of hanging. Sums only (ncclSum), ncclFloat32/ncclFloat64/ncclInt32/ncclInt64.
 * ADL_MOCK_NCCL_LOG=FILE appends one line per call that ran ("rank r of N: ncclAllReduce float32 count
 * n" ...), so a test can see that the NCCL path was taken.
 */
#define _GNU_SOURCE
#include <cuda.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adl_mock.h"

#define API __attribute__((visibility("default")))

/* nccl.h: the types of the calls above */
typedef enum { ncclSuccess = 0, ncclUnhandledCudaError = 1, ncclSystemError = 2, ncclInternalError = 3,
               ncclInvalidArgument = 4, ncclInvalidUsage = 5, ncclRemoteError = 6, ncclInProgress = 7 } ncclResult_t;
typedef enum { ncclInt8 = 0, ncclUint8 = 1, ncclInt32 = 2, ncclUint32 = 3, ncclInt64 = 4, ncclUint64 = 5,
               ncclFloat16 = 6, ncclFloat32 = 7, ncclFloat64 = 8, ncclBfloat16 = 9 } ncclDataType_t;
typedef enum { ncclSum = 0, ncclProd = 1, ncclMax = 2, ncclMin = 3, ncclAvg = 4 } ncclRedOp_t;
#define NCCL_UNIQUE_ID_BYTES 128
typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId;
#define MOCK_MAGIC "adl-mock-nccl:"

typedef struct {
    int arrived;    /* ranks in the current barrier */
    int generation; /* barriers completed */
    int joined;     /* ranks that mapped the segment */
} header;

struct ncclComm {
    int nranks, rank;
    size_t slot;       /* bytes per rank's slot */
    size_t mapped;     /* bytes mapped */
    header *h;
    char *slots;       /* nranks slots of `slot` bytes */
    char name[160];
};
typedef struct ncclComm *ncclComm_t;

/* ---- the barrier over processes ---- */
static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double timeout_s(void) {
    const char *v = getenv("ADL_MOCK_NCCL_TIMEOUT_S");
    return v && atof(v) > 0 ? atof(v) : 300;
}

static ncclResult_t barrier(ncclComm_t c) {
    header *h = c->h;
    int gen = __atomic_load_n(&h->generation, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&h->arrived, 1, __ATOMIC_ACQ_REL) == c->nranks) {
        __atomic_store_n(&h->arrived, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&h->generation, 1, __ATOMIC_RELEASE);
        return ncclSuccess;
    }
    double until = now_s() + timeout_s();
    for (long spins = 0; __atomic_load_n(&h->generation, __ATOMIC_ACQUIRE) == gen; spins++) {
        if (spins < 1000) sched_yield();
        else usleep(50);
        if ((spins & 1023) == 0 && now_s() > until) {
            adlmock_report("mock NCCL: rank %d of %d waited %.0f s in a collective for the other ranks; giving up", c->rank, c->nranks, timeout_s());
            return ncclRemoteError;
        }
    }
    return ncclSuccess;
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...) {
    const char *path = getenv("ADL_MOCK_NCCL_LOG");
    if (!path || !*path) return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return;
    if (write(fd, line, n < (int) sizeof line ? (size_t) n : sizeof line - 1) < 0) { /* a log line lost */ }
    close(fd);
}

/* ---- setup ---- */
API ncclResult_t ncclGetVersion(int *version) {
    if (!version) return ncclInvalidArgument;
    *version = 22304; /* reports itself as NCCL 2.23.4, the version whose documentation it follows */
    return ncclSuccess;
}

API ncclResult_t ncclGetUniqueId(ncclUniqueId *id) {
    if (!id) return ncclInvalidArgument;
    unsigned char r[12];
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, r, sizeof r) != (ssize_t) sizeof r) { if (fd >= 0) close(fd); return ncclSystemError; }
    close(fd);
    memset(id, 0, sizeof *id);
    int n = snprintf(id->internal, sizeof id->internal, MOCK_MAGIC "%d-", (int) getpid());
    for (int i = 0; i < 12; i++) n += snprintf(id->internal + n, sizeof id->internal - n, "%02x", r[i]);
    return ncclSuccess;
}

API ncclResult_t ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId id, int rank) {
    if (!comm || nranks < 1 || rank < 0 || rank >= nranks) return ncclInvalidArgument;
    if (strncmp(id.internal, MOCK_MAGIC, strlen(MOCK_MAGIC)) != 0 || !memchr(id.internal, 0, sizeof id.internal)) {
        adlmock_report("mock NCCL: ncclCommInitRank: the unique id is not one of ncclGetUniqueId's (was it broadcast intact?)");
        return ncclInvalidArgument;
    }
    ncclComm_t c = calloc(1, sizeof *c);
    if (!c) return ncclSystemError;
    c->nranks = nranks;
    c->rank = rank;
    const char *kb = getenv("ADL_MOCK_NCCL_SLOT_KB");
    c->slot = (size_t) (kb && atol(kb) > 0 ? atol(kb) : 8192) << 10;
    snprintf(c->name, sizeof c->name, "/adl-mock-nccl-%s", id.internal + strlen(MOCK_MAGIC));
    int fd = shm_open(c->name, O_CREAT | O_RDWR, 0600);
    if (fd < 0) { adlmock_report("mock NCCL: shm_open %s: %s", c->name, strerror(errno)); free(c); return ncclSystemError; }
    c->mapped = 4096 + c->slot * (size_t) nranks;
    if (ftruncate(fd, (off_t) c->mapped) != 0) {
        adlmock_report("mock NCCL: ftruncate %s: %s", c->name, strerror(errno)); close(fd); free(c); return ncclSystemError;
    }
    void *m = mmap(NULL, c->mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) { adlmock_report("mock NCCL: mmap %s: %s", c->name, strerror(errno)); free(c); return ncclSystemError; }
    c->h = m;
    c->slots = (char *) m + 4096;
    __atomic_add_fetch(&c->h->joined, 1, __ATOMIC_ACQ_REL);
    ncclResult_t r = barrier(c); /* every rank has mapped it */
    if (rank == 0) shm_unlink(c->name);
    if (r != ncclSuccess) { munmap(m, c->mapped); free(c); return r; }
    *comm = c;
    log_line("rank %d of %d: ncclCommInitRank\n", rank, nranks);
    return ncclSuccess;
}

API ncclResult_t ncclCommDestroy(ncclComm_t comm) {
    if (!comm) return ncclInvalidArgument;
    munmap(comm->h, comm->mapped);
    free(comm);
    return ncclSuccess;
}

API ncclResult_t ncclCommCount(const ncclComm_t comm, int *count) {
    if (!comm || !count) return ncclInvalidArgument;
    *count = comm->nranks;
    return ncclSuccess;
}

API ncclResult_t ncclCommUserRank(const ncclComm_t comm, int *rank) {
    if (!comm || !rank) return ncclInvalidArgument;
    *rank = comm->rank;
    return ncclSuccess;
}

API const char *ncclGetErrorString(ncclResult_t result) {
    switch (result) {
        case ncclSuccess: return "no error";
        case ncclUnhandledCudaError: return "unhandled cuda error (run with NCCL_DEBUG=INFO for details)";
        case ncclSystemError: return "unhandled system error (run with NCCL_DEBUG=INFO for details)";
        case ncclInternalError: return "internal error - please report this issue to the NCCL developers";
        case ncclInvalidArgument: return "invalid argument (run with NCCL_DEBUG=WARN for details)";
        case ncclInvalidUsage: return "invalid usage (run with NCCL_DEBUG=WARN for details)";
        case ncclRemoteError: return "remote process exited or there was a network error";
        case ncclInProgress: return "NCCL operation in progress";
        default: return "unknown result code";
    }
}

/* ---- collectives ---- */
static size_t type_size(ncclDataType_t t) {
    switch (t) {
        case ncclFloat32: case ncclInt32: return 4;
        case ncclFloat64: case ncclInt64: return 8;
        default: return 0;
    }
}

typedef struct op {
    int kind;                  /* 0 all-reduce (sum), 1 broadcast */
    CUdeviceptr send, recv;
    size_t count;
    ncclDataType_t type;
    int root;
    ncclComm_t comm;
    CUstream stream;
    struct op *next;
} op;

/* out[i] = Σ_r slot_r[i], r = 0, 1, ..., N-1, in T's arithmetic */
#define SUM_SLOTS(T)                                                              \
    do {                                                                          \
        T *o = (T *) out;                                                         \
        for (size_t i = 0; i < n; i++) {                                          \
            T s = ((const T *) c->slots)[i];                                      \
            for (int r = 1; r < c->nranks; r++) s += ((const T *) (c->slots + (size_t) r * c->slot))[i]; \
            o[i] = s;                                                             \
        }                                                                         \
    } while (0)

static ncclResult_t run_op(const op *o) {
    ncclComm_t c = o->comm;
    size_t es = type_size(o->type), bytes = o->count * es;
    const char *what = o->kind == 0 ? "ncclAllReduce" : "ncclBroadcast";
    const char *src = (o->kind == 0 || c->rank == o->root) ? adlmock_device_ptr(o->send, bytes, what) : NULL;
    char *dst = adlmock_device_ptr(o->recv, bytes, what);
    if (bytes > 0 && (!dst || ((o->kind == 0 || c->rank == o->root) && !src))) return ncclInvalidArgument;
    log_line("rank %d of %d: %s %s count %zu\n", c->rank, c->nranks, what,
             o->type == ncclFloat32 ? "float32" : o->type == ncclFloat64 ? "float64" : o->type == ncclInt32 ? "int32" : "int64", o->count);
    size_t per = c->slot / es * es;
    for (size_t at = 0; at < bytes || (at == 0 && bytes == 0); at += per) {
        size_t piece = bytes - at < per ? bytes - at : per, n = piece / es;
        if (o->kind == 0 || c->rank == o->root) memcpy(c->slots + (size_t) (o->kind == 0 ? c->rank : 0) * c->slot, src + at, piece);
        ncclResult_t r = barrier(c);
        if (r != ncclSuccess) return r;
        if (o->kind == 1) {
            memcpy(dst + at, c->slots, piece);
        } else {
            char *out = dst + at;
            switch (o->type) {
                case ncclFloat32: SUM_SLOTS(float); break;
                case ncclFloat64: SUM_SLOTS(double); break;
                case ncclInt32: SUM_SLOTS(int32_t); break;
                default: SUM_SLOTS(int64_t); break;
            }
        }
        if ((r = barrier(c)) != ncclSuccess) return r; /* nobody overwrites a slot still being read */
        if (bytes == 0) break;
    }
    return ncclSuccess;
}

/* The result of the last collective run on this thread (work runs when enqueued: adl_mock.h). */
static __thread ncclResult_t t_failed;

static void run_enqueued(void *arg) {
    ncclResult_t r = run_op((const op *) arg);
    if (r != ncclSuccess) t_failed = r;
}
static void release_op(void *arg) { free(arg); }

static ncclResult_t launch(op *o) {
    t_failed = ncclSuccess;
    CUresult r = adlmock_enqueue(o->stream, o->kind == 0 ? "ncclAllReduce" : "ncclBroadcast", run_enqueued, o, release_op);
    if (r != CUDA_SUCCESS) return ncclUnhandledCudaError;
    return t_failed;
}

static __thread int group_depth;
static __thread op *group_head, *group_tail;

static ncclResult_t submit(op *o) {
    if (group_depth == 0) return launch(o);
    if (group_tail) group_tail->next = o; else group_head = o;
    group_tail = o;
    return ncclSuccess;
}

API ncclResult_t ncclGroupStart(void) {
    group_depth++;
    return ncclSuccess;
}

/* Runs the group's collectives in the order they were called (the order every rank called them). */
API ncclResult_t ncclGroupEnd(void) {
    if (group_depth == 0) return ncclInvalidUsage;
    if (--group_depth > 0) return ncclSuccess;
    ncclResult_t result = ncclSuccess;
    for (op *o = group_head, *next; o; o = next) {
        next = o->next;
        if (result == ncclSuccess) result = launch(o);
        else free(o);
    }
    group_head = group_tail = NULL;
    return result;
}

static ncclResult_t make(int kind, const void *send, void *recv, size_t count, ncclDataType_t type, int root, ncclComm_t comm, CUstream stream) {
    if (!comm || type_size(type) == 0 || (kind == 1 && (root < 0 || root >= comm->nranks))) return ncclInvalidArgument;
    op *o = calloc(1, sizeof *o);
    if (!o) return ncclSystemError;
    *o = (op) {kind, (CUdeviceptr) send, (CUdeviceptr) recv, count, type, root, comm, stream, NULL};
    return submit(o);
}

API ncclResult_t ncclAllReduce(const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op_,
                               ncclComm_t comm, CUstream stream) {
    if (op_ != ncclSum) return ncclInvalidArgument;
    return make(0, sendbuff, recvbuff, count, datatype, 0, comm, stream);
}

API ncclResult_t ncclBroadcast(const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, int root,
                               ncclComm_t comm, CUstream stream) {
    return make(1, sendbuff, recvbuff, count, datatype, root, comm, stream);
}
