// exec.cpp — runs a launch of a host-compiled kernel with the real grid and block sizes: blocks one
// after another (under the driver lock), the threads of a block one after another for kernels
// without a barrier, and as fibers for the kernels whose PTX has bar.sync: each thread runs until
// __syncthreads, then the next; when all have arrived the round repeats (CUDA's block barrier).
// The fibers (stacks and contexts) are made once and reused by every launch. On x86-64 a fiber
// switch is a few instructions (adlmock_fiber_switch below saves the callee-saved registers, the
// SSE control word and the x87 control word, per the System V AMD64 ABI); elsewhere ucontext.
#include "launch.hpp"
#include "cuda_host.h"
#include <cstdio>
#include <cstring>
#include <functional>
#include <sys/mman.h>
// x86-64: the switch below; elsewhere, or built with -DADLMOCK_UCONTEXT, ucontext.
#if defined(__x86_64__) && !defined(ADLMOCK_UCONTEXT)
#define ADLMOCK_ASM_FIBERS 1
#else
#include <ucontext.h>
#endif

extern "C" {
uint3 adlmock_threadIdx, adlmock_blockIdx;
dim3 adlmock_blockDim, adlmock_gridDim;
}

namespace adlmock {

namespace {
constexpr size_t kStack = 256 * 1024;      // virtual; pages are touched only as used
constexpr int kMaxThreads = 1024;

const Launch *g_launch = nullptr;          // the launch being run
int g_cur = -1;                            // the fiber running, -1 = the scheduler / serial mode
bool g_barrier_misuse = false;

struct Fiber {
    void *stack = nullptr;
#if ADLMOCK_ASM_FIBERS
    void *sp = nullptr;
#else
    ucontext_t ctx;
#endif
    bool done = false;
};
Fiber g_fibers[kMaxThreads];
int g_made = 0;
#if ADLMOCK_ASM_FIBERS
void *g_sched_sp = nullptr;
#else
ucontext_t g_sched_ctx;
#endif

void set_thread(int i) {
    unsigned bx = g_launch->block[0], by = g_launch->block[1];
    adlmock_threadIdx = uint3{i % bx, (i / bx) % by, i / (bx * by)};
}
} // namespace
} // namespace adlmock

#if ADLMOCK_ASM_FIBERS
extern "C" void adlmock_fiber_switch(void **save_sp, void *new_sp);
asm(R"(
    .text
    .globl adlmock_fiber_switch
    .hidden adlmock_fiber_switch
    .type adlmock_fiber_switch, @function
adlmock_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size adlmock_fiber_switch, .-adlmock_fiber_switch
)");
#endif

namespace adlmock {
namespace {

void to_scheduler() {
    Fiber &f = g_fibers[g_cur];
#if ADLMOCK_ASM_FIBERS
    adlmock_fiber_switch(&f.sp, g_sched_sp);
#else
    swapcontext(&f.ctx, &g_sched_ctx);
#endif
}

// A fiber's life: run the current launch's kernel as thread g_cur, mark it done, yield; repeat.
[[noreturn]] void fiber_main() {
    for (;;) {
        g_launch->hk->invoke(g_launch->hk->fn, const_cast<void **>(g_launch->slots));
        g_fibers[g_cur].done = true;
        to_scheduler();
    }
}

bool make_fiber(Fiber &f) {
    void *mem = mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return false;
    mprotect(mem, 4096, PROT_NONE);         // guard page: a stack overflow faults instead of corrupting
    f.stack = mem;
#if ADLMOCK_ASM_FIBERS
    uint64_t *sp = reinterpret_cast<uint64_t *>(static_cast<char *>(mem) + kStack);
    *--sp = 0;                                              // fiber_main's caller frame (alignment)
    *--sp = reinterpret_cast<uint64_t>(&fiber_main);        // the first switch "returns" here
    for (int i = 0; i < 6; i++) *--sp = 0;                  // rbp rbx r12 r13 r14 r15
    uint32_t csr[2];
    asm volatile("stmxcsr %0" : "=m"(csr[0]));
    asm volatile("fnstcw %0" : "=m"(csr[1]));
    csr[1] &= 0xFFFF;
    --sp;
    std::memcpy(sp, csr, 8);
    f.sp = sp;
#else
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = mem;
    f.ctx.uc_stack.ss_size = kStack;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, reinterpret_cast<void (*)()>(&fiber_main), 0);
#endif
    return true;
}

void run_block_serial(int threads) {
    const HostKernel *hk = g_launch->hk;
    for (int t = 0; t < threads; t++) {
        set_thread(t);
        hk->invoke(hk->fn, const_cast<void **>(g_launch->slots));
    }
}

bool run_block_fibers(int threads) {
    while (g_made < threads) if (!make_fiber(g_fibers[g_made++])) { g_made--; return false; }
    for (int t = 0; t < threads; t++) g_fibers[t].done = false;
    for (;;) {
        int waiting = 0;
        for (int t = 0; t < threads; t++) {
            if (g_fibers[t].done) continue;
            g_cur = t;
            set_thread(t);
#if ADLMOCK_ASM_FIBERS
            adlmock_fiber_switch(&g_sched_sp, g_fibers[t].sp);
#else
            swapcontext(&g_sched_ctx, &g_fibers[t].ctx);
#endif
            if (!g_fibers[t].done) waiting++;
        }
        g_cur = -1;
        if (waiting == 0) return true;
    }
}

} // namespace

CUresult run_launch(const Launch &l) {
    // Pointer parameters must point into live memory (or be null) when the kernel runs.
    for (int i = 0; i < l.hk->nparams; i++) {
        if (!l.hk->pointer[i]) continue;
        uintptr_t p = *static_cast<const uintptr_t *>(l.slots[i]);
        std::string why;
        if (p != 0 && !find_live(p, 0, &why)) {
            adlmock_report("cuLaunchKernel(%s): parameter %d (0x%llx): %s", l.hk->name, i, (unsigned long long) p, why.c_str());
            return CUDA_ERROR_ILLEGAL_ADDRESS;
        }
    }
    const Launch *saved = g_launch;
    g_launch = &l;
    g_barrier_misuse = false;
    adlmock_gridDim = dim3{l.grid[0], l.grid[1], l.grid[2]};
    adlmock_blockDim = dim3{l.block[0], l.block[1], l.block[2]};
    int threads = (int) (l.block[0] * l.block[1] * l.block[2]);
    CUresult r = CUDA_SUCCESS;
    for (unsigned z = 0; z < l.grid[2] && r == CUDA_SUCCESS; z++)
        for (unsigned y = 0; y < l.grid[1] && r == CUDA_SUCCESS; y++)
            for (unsigned x = 0; x < l.grid[0]; x++) {
                adlmock_blockIdx = uint3{x, y, z};
                if (!l.barrier) run_block_serial(threads);
                else if (!run_block_fibers(threads)) {
                    adlmock_report("cuLaunchKernel(%s): cannot map the fiber stacks", l.hk->name);
                    r = CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
                    break;
                }
                if (g_barrier_misuse) {
                    adlmock_report("cuLaunchKernel(%s): __syncthreads in a kernel whose PTX has no bar.sync", l.hk->name);
                    r = CUDA_ERROR_LAUNCH_FAILED;
                    break;
                }
            }
    g_launch = saved;
    return r;
}

} // namespace adlmock

// Host tests (native-kernels/emu) run a body as grid × block threads on this executor, with fibers
// (barrier = true) or thread after thread; not exported from libcuda.so.1 (linked from the objects).
int adlmock_host_run(unsigned grid, unsigned block, bool barrier, std::function<void()> *body) {
    using namespace adlmock;
    static HostKernel hk{};
    hk.name = "host_run";
    hk.nparams = 0;
    hk.invoke = [](void *fn, void **) { (*static_cast<std::function<void()> *>(fn))(); };
    hk.fn = body;
    Launch l;
    l.hk = &hk;
    l.barrier = barrier;
    l.grid[0] = grid;
    l.block[0] = block;
    Guard g(g_lock);
    return (int) run_launch(l);
}

extern "C" void adlmock_syncthreads(void) {
    using namespace adlmock;
    if (g_cur < 0) { g_barrier_misuse = true; return; }
    to_scheduler();
}
