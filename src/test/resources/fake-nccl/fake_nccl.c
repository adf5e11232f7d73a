/* A fake libnccl.so.2 with NCCL 2's signatures (nccl.h), for NcclBindingTest: no GPU, host pointers.
 * ncclCommInitRank checks the 128-byte id arrived by value; ncclAllReduce writes recv = send * nranks
 * (floats), as if every rank held the same data; group calls are counted. */
#include <stddef.h>
#include <string.h>

typedef struct { char internal[128]; } ncclUniqueId;
typedef struct fakeComm { int nranks, rank; } *ncclComm_t;

static struct fakeComm the_comm;
static int group_depth, group_max, reduces_outside_group, reduces;

int ncclGetVersion(int *version) { *version = 22304; return 0; }
int ncclGetUniqueId(ncclUniqueId *id) { for (int i = 0; i < 128; i++) id->internal[i] = (char) (i + 1); return 0; }
int ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId id, int rank) {
    for (int i = 0; i < 128; i++) if (id.internal[i] != (char) (i + 1)) return 4; /* ncclInvalidArgument */
    if (rank < 0 || rank >= nranks) return 4;
    the_comm.nranks = nranks;
    the_comm.rank = rank;
    *comm = &the_comm;
    return 0;
}
int ncclGroupStart(void) { group_depth++; if (group_depth > group_max) group_max = group_depth; return 0; }
int ncclGroupEnd(void) { group_depth--; return 0; }
int ncclAllReduce(const void *send, void *recv, size_t count, int datatype, int op, ncclComm_t comm, void *stream) {
    if (datatype != 7 || op != 0 || comm != &the_comm || count == 0) return 4;
    if (group_depth == 0) reduces_outside_group++;
    reduces++;
    const float *s = send;
    float *r = recv;
    for (size_t i = 0; i < count; i++) r[i] = s[i] * comm->nranks;
    return 0;
}
int ncclCommDestroy(ncclComm_t comm) { return comm == &the_comm ? 0 : 4; }
const char *ncclGetErrorString(int result) { return result == 4 ? "invalid argument (fake)" : "fake error"; }

int fake_group_max(void) { return group_max; }
int fake_reduces(void) { return reduces; }
int fake_reduces_outside_group(void) { return reduces_outside_group; }
