// modules.cpp — cuModuleLoadDataEx takes the project's PTX text (checked: ISA version against the
// driver version, target, entries and their .param lists), cuModuleGetFunction pairs a PTX entry
// with the host-compiled kernel of the same name (parameter sizes must agree), cuLaunchKernel
// checks the launch and enqueues it. Behaviour from the CUDA Driver API reference: Module
// Management (cuModuleLoadDataEx and the CUjit_option descriptions), Execution Control
// (cuLaunchKernel), per function below.
#include "launch.hpp"
#include "ptx.hpp"
#include <cstdio>
#include <cstring>

namespace adlmock {

static const HostKernel *g_registry = nullptr;

void register_kernel(HostKernel *k) {
    k->next = g_registry;
    g_registry = k;
}

const HostKernel *find_host_kernel(const std::string &name) {
    for (const HostKernel *k = g_registry; k; k = k->next) if (name == k->name) return k;
    return nullptr;
}

struct Module;
struct Function { Module *module; const PtxEntry *entry; const HostKernel *hk; };
struct Module { PtxModule ptx; std::map<std::string, Function *> functions; };
static std::set<Module *> g_modules;
static std::set<Function *> g_functions;

static void destroy_module(Module *m) {
    for (auto &[name, f] : m->functions) { g_functions.erase(f); delete f; }
    delete m;
}

void release_streams_and_graphs();
void free_all_blocks();

void release_all_state() {
    release_streams_and_graphs();
    for (Module *m : g_modules) destroy_module(m);
    g_modules.clear();
    free_all_blocks();
}

namespace {
// The JIT log buffers of cuModuleLoadDataEx (CU_JIT_INFO_LOG_BUFFER / _SIZE_BYTES,
// CU_JIT_ERROR_LOG_BUFFER / _SIZE_BYTES): messages are capped at the size (with the NUL), and the
// size option's value is overwritten with the number of bytes written.
struct JitLog { char *buf = nullptr; unsigned size = 0; int size_index = -1; };

void write_log(JitLog &log, void **values, const std::string &msg) {
    if (!log.buf || log.size == 0) return;
    size_t n = std::min<size_t>(msg.size(), log.size - 1);
    std::memcpy(log.buf, msg.data(), n);
    log.buf[n] = '\0';
    if (log.size_index >= 0) values[log.size_index] = reinterpret_cast<void *>((uintptr_t) (n + 1));
}
} // namespace

} // namespace adlmock

using namespace adlmock;

extern "C" {

// Module Management: cuModuleLoadDataEx — loads a PTX image (NUL-terminated text) with JIT options.
// PTX of an ISA newer than the driver supports: CUDA_ERROR_UNSUPPORTED_PTX_VERSION; malformed PTX
// or a .target above the device (sm_80): CUDA_ERROR_INVALID_PTX; both with the reason in the
// error log buffer. A binary image (cubin, fatbin) cannot run here: CUDA_ERROR_INVALID_IMAGE.
CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int numOptions, CUjit_option *options,
                            void **optionValues) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (!module || !image || (numOptions > 0 && (!options || !optionValues))) return CUDA_ERROR_INVALID_VALUE;
    JitLog info, err;
    for (unsigned i = 0; i < numOptions; i++) {
        switch (options[i]) {
            case CU_JIT_INFO_LOG_BUFFER: info.buf = static_cast<char *>(optionValues[i]); break;
            case CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES:
                info.size = (unsigned) (uintptr_t) optionValues[i]; info.size_index = (int) i; break;
            case CU_JIT_ERROR_LOG_BUFFER: err.buf = static_cast<char *>(optionValues[i]); break;
            case CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES:
                err.size = (unsigned) (uintptr_t) optionValues[i]; err.size_index = (int) i; break;
            default:
                if ((unsigned) options[i] >= (unsigned) CU_JIT_NUM_OPTIONS) return CUDA_ERROR_INVALID_VALUE;
                break;   // other options (optimisation level, register limits, ...) do not apply here
        }
    }
    if (info.size_index >= 0) optionValues[info.size_index] = nullptr;
    if (err.size_index >= 0) optionValues[err.size_index] = nullptr;
    const unsigned char *bytes = static_cast<const unsigned char *>(image);
    if (bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
        write_log(err, optionValues, "adl mock GPU: a binary image (cubin) cannot run on the mock; load PTX text");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    Module *m = new Module();
    std::string why;
    if (!parse_ptx(static_cast<const char *>(image), m->ptx, why)) {
        delete m;
        write_log(err, optionValues, "ptxas application ptx input, " + why);
        return CUDA_ERROR_INVALID_PTX;
    }
    int need = min_driver_for_isa(m->ptx.isa_major, m->ptx.isa_minor);
    int have = driver_version();
    if (need == 0 || need > have) {
        std::string msg = "ptxas application ptx input: fatal: Unsupported .version " + std::to_string(m->ptx.isa_major) + "." +
                std::to_string(m->ptx.isa_minor) + "; current version is '" + max_isa_for_driver(have) + "' (driver " +
                std::to_string(have) + ")";
        delete m;
        write_log(err, optionValues, msg);
        return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    }
    if (m->ptx.target_sm > 80) {
        std::string msg = "ptxas application ptx input: fatal: SM version specified by .target (sm_" +
                std::to_string(m->ptx.target_sm) + ") is higher than the device's (sm_80)";
        delete m;
        write_log(err, optionValues, msg);
        return CUDA_ERROR_INVALID_PTX;
    }
    std::string msg = "adl mock GPU: PTX ISA " + std::to_string(m->ptx.isa_major) + "." + std::to_string(m->ptx.isa_minor) +
            ", .target sm_" + std::to_string(m->ptx.target_sm) + ", " + std::to_string(m->ptx.entries.size()) + " entries:";
    for (const auto &e : m->ptx.entries) msg += " " + e.name;
    write_log(info, optionValues, msg);
    write_log(err, optionValues, "");
    g_modules.insert(m);
    *module = reinterpret_cast<CUmodule>(m);
    return CUDA_SUCCESS;
}

// Module Management: cuModuleGetFunction — CUDA_ERROR_NOT_FOUND when the module has no such entry.
// The mock also needs the host-compiled kernel of that name, with the PTX's parameter sizes.
CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    Module *m = reinterpret_cast<Module *>(hmod);
    if (!hfunc || !name) return CUDA_ERROR_INVALID_VALUE;
    if (!g_modules.count(m)) return CUDA_ERROR_INVALID_HANDLE;
    auto known = m->functions.find(name);
    if (known != m->functions.end()) { *hfunc = reinterpret_cast<CUfunction>(known->second); return CUDA_SUCCESS; }
    const PtxEntry *entry = nullptr;
    for (const auto &e : m->ptx.entries) if (e.name == name) entry = &e;
    if (!entry) return CUDA_ERROR_NOT_FOUND;
    const HostKernel *hk = find_host_kernel(name);
    if (!hk) {
        adlmock_report("cuModuleGetFunction(%s): the PTX declares it but the mock has no host build of it "
                       "(add its .cu to scripts/mock-gpu/kernels)", name);
        return CUDA_ERROR_NOT_FOUND;
    }
    bool same = (int) entry->sizes.size() == hk->nparams;
    for (int i = 0; same && i < hk->nparams; i++) same = entry->sizes[i] == hk->sizes[i];
    if (!same) {
        std::string ptx, host;
        for (size_t s : entry->sizes) ptx += (ptx.empty() ? "" : ",") + std::to_string(s);
        for (int i = 0; i < hk->nparams; i++) host += (host.empty() ? "" : ",") + std::to_string(hk->sizes[i]);
        adlmock_report("cuModuleGetFunction(%s): the PTX entry's parameter sizes (%s) differ from the host kernel's (%s)",
                       name, ptx.c_str(), host.c_str());
        return CUDA_ERROR_INVALID_IMAGE;
    }
    Function *f = new Function{m, entry, hk};
    m->functions[name] = f;
    g_functions.insert(f);
    *hfunc = reinterpret_cast<CUfunction>(f);
    return CUDA_SUCCESS;
}

// Module Management: cuModuleUnload — its functions become invalid.
CUresult cuModuleUnload(CUmodule hmod) {
    Guard g(g_lock);
    if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
    Module *m = reinterpret_cast<Module *>(hmod);
    if (g_modules.erase(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    destroy_module(m);
    return CUDA_SUCCESS;
}

namespace {
void run_launch_work(void *a) {
    CUresult r = run_launch(*static_cast<Launch *>(a));
    if (r != CUDA_SUCCESS) set_sticky(r);
}
void release_launch(void *a) { delete static_cast<Launch *>(a); }
} // namespace

// Execution Control: cuLaunchKernel — grid and block dimensions within the device limits
// (CUDA_ERROR_INVALID_VALUE otherwise), kernelParams with one pointer per parameter (this project's
// packer ends the array with a NULL, which the mock uses to check the count), extra unsupported.
// The parameter values are copied at the call, as documented.
CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                        unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes,
                        CUstream hStream, void **kernelParams, void **extra) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    Function *fn = reinterpret_cast<Function *>(f);
    if (!g_functions.count(fn)) return CUDA_ERROR_INVALID_HANDLE;
    const HostKernel *hk = fn->hk;
    if (gridDimX == 0 || gridDimY == 0 || gridDimZ == 0 || blockDimX == 0 || blockDimY == 0 || blockDimZ == 0
        || blockDimX > 1024 || blockDimY > 1024 || blockDimZ > 64 || (uint64_t) blockDimX * blockDimY * blockDimZ > 1024
        || gridDimX > 2147483647u || gridDimY > 65535 || gridDimZ > 65535) {
        adlmock_report("cuLaunchKernel(%s): grid %ux%ux%u, block %ux%ux%u outside the device limits", hk->name,
                       gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (sharedMemBytes > 48 * 1024) {
        adlmock_report("cuLaunchKernel(%s): %u bytes of dynamic shared memory (at most 49152)", hk->name, sharedMemBytes);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (extra) {
        adlmock_report("cuLaunchKernel(%s): the 'extra' argument is not supported by the mock", hk->name);
        return kernelParams ? CUDA_ERROR_INVALID_VALUE : CUDA_ERROR_NOT_SUPPORTED;
    }
    int given = 0;
    if (kernelParams) while (given <= hk->nparams && kernelParams[given]) given++;
    if (given != hk->nparams || (hk->nparams > 0 && !kernelParams)) {
        adlmock_report("cuLaunchKernel(%s): %s%d parameters given (kernelParams up to its NULL), the PTX entry declares %d",
                       hk->name, given > hk->nparams ? "more than " : "", given > hk->nparams ? hk->nparams : given, hk->nparams);
        return CUDA_ERROR_INVALID_VALUE;
    }
    auto *l = new Launch();
    l->hk = hk;
    l->barrier = fn->entry->barrier;
    l->grid[0] = gridDimX; l->grid[1] = gridDimY; l->grid[2] = gridDimZ;
    l->block[0] = blockDimX; l->block[1] = blockDimY; l->block[2] = blockDimZ;
    l->shared = sharedMemBytes;
    size_t total = 0, offs[kMaxParams];
    for (int i = 0; i < hk->nparams; i++) { offs[i] = total; total += (hk->sizes[i] + 15) & ~(size_t) 15; }
    l->storage.resize(total / sizeof(std::max_align_t) + 1);
    char *base = reinterpret_cast<char *>(l->storage.data());
    for (int i = 0; i < hk->nparams; i++) {
        std::memcpy(base + offs[i], kernelParams[i], hk->sizes[i]);
        l->slots[i] = base + offs[i];
    }
    return enqueue(hStream, std::make_shared<Work>(hk->name, run_launch_work, l, release_launch));
}

} // extern "C"

extern "C" {
// Module Management: cuModuleLoadData — cuModuleLoadDataEx without options.
CUresult cuModuleLoadData(CUmodule *module, const void *image) {
    return cuModuleLoadDataEx(module, image, 0, nullptr, nullptr);
}
}
