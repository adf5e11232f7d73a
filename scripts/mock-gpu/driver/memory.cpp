// memory.cpp — device memory (host memory with a capacity), pinned host memory, copies and memset.
// Every block is tracked: a free of an unknown or already freed pointer, a device range outside
// every live block, and the blocks still live at the last primary context release are reported
// ("adl mock GPU: ..." on stderr). Behaviour from the CUDA Driver API reference, Memory Management
// section, per function below.
#include "mock.hpp"
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

namespace adlmock {

static std::map<uintptr_t, Block> g_live;                     // base → live block (device and pinned)
struct Freed { size_t bytes; uint64_t serial; bool pinned; };
static std::map<uintptr_t, Freed> g_freed;                    // base → freed block (for the report)
static size_t g_used = 0;                                      // device bytes in use (rounded)
static uint64_t g_serial_device = 0, g_serial_pinned = 0;

static size_t rounded(size_t bytes) { return (bytes + 255) & ~(size_t) 255; }
size_t live_device_bytes() { return g_used; }

// A new block reuses addresses: the freed records it overlaps go (freed records never overlap
// each other, so only the one starting before base can reach into it).
static void forget_freed(uintptr_t base, size_t bytes) {
    auto it = g_freed.upper_bound(base);
    if (it != g_freed.begin()) {
        auto before = std::prev(it);
        if (before->first + before->second.bytes > base) g_freed.erase(before);
    }
    it = g_freed.lower_bound(base);
    while (it != g_freed.end() && it->first < base + bytes) it = g_freed.erase(it);
}

static const char *alloc_fn(bool pinned) { return pinned ? "cuMemHostAlloc" : "cuMemAlloc_v2"; }

const Block *find_live(uintptr_t p, size_t bytes, std::string *why) {
    auto it = g_live.upper_bound(p);
    if (it != g_live.begin()) {
        --it;
        uintptr_t base = it->first;
        size_t size = it->second.bytes;
        if (p >= base && p <= base + size) {
            if (bytes <= base + size - p) return &it->second;
            if (why) {
                char b[256];
                snprintf(b, sizeof b, "out of bounds: %zu bytes at offset %zu of a %zu-byte block (%s #%llu)", bytes,
                         (size_t) (p - base), size, alloc_fn(it->second.pinned), (unsigned long long) it->second.serial);
                *why = b;
            }
            return nullptr;
        }
    }
    if (why) {
        auto f = g_freed.upper_bound(p);
        if (f != g_freed.begin()) {
            --f;
            if (p >= f->first && p < f->first + f->second.bytes) {
                char b[256];
                snprintf(b, sizeof b, "use of freed memory (a %zu-byte block from %s #%llu, freed)", f->second.bytes,
                         alloc_fn(f->second.pinned), (unsigned long long) f->second.serial);
                *why = b;
                return nullptr;
            }
        }
        *why = "unknown pointer (not inside any live allocation)";
    }
    return nullptr;
}

void report_leaks() {
    const char *path = std::getenv("ADL_MOCK_GPU_REPORT");
    FILE *out = path && *path ? std::fopen(path, "w") : nullptr;
    if (path && *path && !out) adlmock_report("cannot write ADL_MOCK_GPU_REPORT=%s", path);
    size_t count = 0, bytes = 0;
    for (const auto &[base, b] : g_live) {
        adlmock_report("leak: %zu bytes at 0x%llx (allocated by %s #%llu)", b.bytes, (unsigned long long) base,
                       alloc_fn(b.pinned), (unsigned long long) b.serial);
        if (out) fprintf(out, "leak: %zu bytes at 0x%llx (allocated by %s #%llu)\n", b.bytes, (unsigned long long) base,
                         alloc_fn(b.pinned), (unsigned long long) b.serial);
        count++;
        bytes += b.bytes;
    }
    if (out) {
        if (count) fprintf(out, "live allocations: %zu, bytes: %zu\n", count, bytes);
        std::fclose(out);
    }
}

// At the last primary context release: report, then free what is left (the context's memory goes with it).
void free_all_blocks() {
    report_leaks();
    for (auto &[base, b] : g_live) std::free(reinterpret_cast<void *>(base));
    g_live.clear();
    g_freed.clear();
    g_used = 0;
}

} // namespace adlmock

using namespace adlmock;

extern "C" {

void *adlmock_device_ptr(CUdeviceptr p, size_t bytes, const char *what) {
    Guard g(g_lock);
    if (p == 0 && bytes == 0) return nullptr;
    std::string why;
    if (p != 0 && find_live((uintptr_t) p, bytes, &why)) return reinterpret_cast<void *>((uintptr_t) p);
    if (p == 0) why = "null device pointer";
    adlmock_report("%s: %zu bytes at 0x%llx: %s", what ? what : "?", bytes, (unsigned long long) p, why.c_str());
    set_sticky(CUDA_ERROR_ILLEGAL_ADDRESS);
    return nullptr;
}

// Memory Management: cuMemGetInfo — free and total memory of the current context's device.
CUresult cuMemGetInfo_v2(size_t *free, size_t *total) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
    *total = capacity_bytes();
    *free = *total - std::min(*total, g_used);
    return CUDA_SUCCESS;
}

// Memory Management: cuMemAlloc — bytesize 0 is CUDA_ERROR_INVALID_VALUE; memory is suitably
// aligned (256 bytes here) and not cleared (the mock fills it with 0xFF bytes: NaN as float);
// CUDA_ERROR_OUT_OF_MEMORY beyond the capacity. A potentially unsafe call during stream capture.
CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if ((r = unsafe_during_capture("cuMemAlloc_v2")) != CUDA_SUCCESS) return r;
    if (!dptr || bytesize == 0) return CUDA_ERROR_INVALID_VALUE;
    size_t need = rounded(bytesize);
    if (need > capacity_bytes() - std::min(capacity_bytes(), g_used)) return CUDA_ERROR_OUT_OF_MEMORY;
    void *p = nullptr;
    if (posix_memalign(&p, 256, need) != 0 || !p) return CUDA_ERROR_OUT_OF_MEMORY;
    std::memset(p, 0xFF, bytesize);
    uintptr_t base = (uintptr_t) p;
    forget_freed(base, need);
    g_live[base] = Block{bytesize, ++g_serial_device, false};
    g_used += need;
    *dptr = (CUdeviceptr) base;
    return CUDA_SUCCESS;
}

static CUresult free_block(uintptr_t p, bool pinned, const char *fn) {
    auto it = g_live.find(p);
    if (it == g_live.end() || it->second.pinned != pinned) {
        auto f = g_freed.find(p);
        if (f != g_freed.end() && f->second.pinned == pinned)
            adlmock_report("%s: double free of 0x%llx (a %zu-byte block from %s #%llu, already freed)", fn,
                           (unsigned long long) p, f->second.bytes, alloc_fn(pinned), (unsigned long long) f->second.serial);
        else
            adlmock_report("%s: 0x%llx is not the start of a live %s allocation", fn, (unsigned long long) p,
                           pinned ? "pinned host" : "device");
        return CUDA_ERROR_INVALID_VALUE;
    }
    Block b = it->second;
    g_live.erase(it);
    if (!pinned) g_used -= rounded(b.bytes);
    g_freed[p] = Freed{b.bytes, b.serial, pinned};
    if (g_freed.size() > (1u << 20)) g_freed.clear();
    std::free(reinterpret_cast<void *>(p));
    return CUDA_SUCCESS;
}

// Memory Management: cuMemFree — dptr must be a pointer returned by cuMemAlloc (else
// CUDA_ERROR_INVALID_VALUE; the mock reports a double free or an unknown pointer).
CUresult cuMemFree_v2(CUdeviceptr dptr) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if ((r = unsafe_during_capture("cuMemFree_v2")) != CUDA_SUCCESS) return r;
    return free_block((uintptr_t) dptr, false, "cuMemFree_v2");
}

// Memory Management: cuMemHostAlloc — page-locked host memory; Flags are a combination of
// CU_MEMHOSTALLOC_PORTABLE, _DEVICEMAP and _WRITECOMBINED (else CUDA_ERROR_INVALID_VALUE).
CUresult cuMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if ((r = unsafe_during_capture("cuMemHostAlloc")) != CUDA_SUCCESS) return r;
    if (!pp || bytesize == 0) return CUDA_ERROR_INVALID_VALUE;
    if (Flags & ~(unsigned) (CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP | CU_MEMHOSTALLOC_WRITECOMBINED))
        return CUDA_ERROR_INVALID_VALUE;
    void *p = nullptr;
    if (posix_memalign(&p, 4096, rounded(bytesize)) != 0 || !p) return CUDA_ERROR_OUT_OF_MEMORY;
    uintptr_t base = (uintptr_t) p;
    forget_freed(base, rounded(bytesize));
    g_live[base] = Block{bytesize, ++g_serial_pinned, true};
    *pp = p;
    return CUDA_SUCCESS;
}

// Memory Management: cuMemFreeHost — p must come from cuMemHostAlloc.
CUresult cuMemFreeHost(void *p) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if ((r = unsafe_during_capture("cuMemFreeHost")) != CUDA_SUCCESS) return r;
    return free_block((uintptr_t) p, true, "cuMemFreeHost");
}

// ---- copies and memset: stream work (recorded by value while capturing; a copy records the
// host pointer, which is read when the work runs, as in a captured memcpy node) ----

namespace {
struct Copy { uintptr_t dst, src; size_t n; bool to_device; };
void run_copy(void *a) {
    Copy *c = static_cast<Copy *>(a);
    const char *what = c->to_device ? "cuMemcpyHtoDAsync_v2" : "cuMemcpyDtoHAsync_v2";
    void *dev = adlmock_device_ptr(c->to_device ? c->dst : c->src, c->n, what);
    if (!dev) return;
    if (c->to_device) std::memcpy(dev, reinterpret_cast<void *>(c->src), c->n);
    else std::memcpy(reinterpret_cast<void *>(c->dst), dev, c->n);
}
void release_copy(void *a) { delete static_cast<Copy *>(a); }

struct Memset { uintptr_t dst; unsigned int value; size_t words; };
void run_memset(void *a) {
    Memset *m = static_cast<Memset *>(a);
    uint32_t *p = static_cast<uint32_t *>(adlmock_device_ptr(m->dst, m->words * 4, "cuMemsetD32Async"));
    if (!p) return;
    for (size_t i = 0; i < m->words; i++) p[i] = m->value;
}
void release_memset(void *a) { delete static_cast<Memset *>(a); }

// The device range of a copy or memset must lie in one live block when the call is made
// (CUDA_ERROR_INVALID_VALUE otherwise), and again when the work runs.
CUresult check_range(CUdeviceptr p, size_t bytes, const char *fn) {
    std::string why;
    if (find_live((uintptr_t) p, bytes, &why)) return CUDA_SUCCESS;
    adlmock_report("%s: %zu bytes at 0x%llx: %s", fn, bytes, (unsigned long long) p, why.c_str());
    return CUDA_ERROR_INVALID_VALUE;
}
} // namespace

// Memory Management: cuMemcpyHtoDAsync — asynchronous host → device copy on hStream.
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!srcHost) return CUDA_ERROR_INVALID_VALUE;
    if ((r = check_range(dstDevice, ByteCount, "cuMemcpyHtoDAsync_v2")) != CUDA_SUCCESS) return r;
    auto *c = new Copy{(uintptr_t) dstDevice, (uintptr_t) srcHost, ByteCount, true};
    return enqueue(hStream, std::make_shared<Work>("cuMemcpyHtoDAsync_v2", run_copy, c, release_copy));
}

// Memory Management: cuMemcpyDtoHAsync — asynchronous device → host copy on hStream.
CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!dstHost) return CUDA_ERROR_INVALID_VALUE;
    if ((r = check_range(srcDevice, ByteCount, "cuMemcpyDtoHAsync_v2")) != CUDA_SUCCESS) return r;
    auto *c = new Copy{(uintptr_t) dstHost, (uintptr_t) srcDevice, ByteCount, false};
    return enqueue(hStream, std::make_shared<Work>("cuMemcpyDtoHAsync_v2", run_copy, c, release_copy));
}

// Memory Management: cuMemsetD32Async — N 32-bit words at dstDevice (4-byte aligned) set to ui.
CUresult cuMemsetD32Async(CUdeviceptr dstDevice, unsigned int ui, size_t N, CUstream hStream) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (dstDevice % 4 != 0) return CUDA_ERROR_INVALID_VALUE;
    if (N == 0) return CUDA_SUCCESS;
    if ((r = check_range(dstDevice, N * 4, "cuMemsetD32Async")) != CUDA_SUCCESS) return r;
    auto *m = new Memset{(uintptr_t) dstDevice, ui, N};
    return enqueue(hStream, std::make_shared<Work>("cuMemsetD32Async", run_memset, m, release_memset));
}

} // extern "C"
