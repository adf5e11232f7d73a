// registry.hpp — the host kernel registry: each kernel of native-kernels/*.cu, compiled for the
// host, is registered under its extern "C" name with its parameter sizes (from the C++ signature,
// by a template over the function's parameter pack: no code generator) and a call(void **params)
// that unpacks cuLaunchKernel's kernelParams (each slot points at one argument's value).
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

namespace adlmock {

constexpr int kMaxParams = 32;

struct HostKernel {
    const char *name;
    int nparams;
    size_t sizes[kMaxParams];
    bool pointer[kMaxParams];         // the host parameter is a pointer (checked against live memory)
    void *fn;
    void (*invoke)(void *fn, void **params);
    const HostKernel *next;           // the registry is a list built by static registrars
};

void register_kernel(HostKernel *k);

template <typename... A> struct KernelSig {
    using Fn = void (*)(A...);
    template <size_t... I> static void call(Fn f, void **p, std::index_sequence<I...>) {
        f(*static_cast<std::remove_cv_t<A> *>(p[I])...);
    }
    static void invoke(void *f, void **p) { call(reinterpret_cast<Fn>(f), p, std::index_sequence_for<A...>{}); }
};

template <typename... A> HostKernel describe(const char *name, void (*f)(A...)) {
    static_assert(sizeof...(A) <= kMaxParams, "too many kernel parameters");
    HostKernel k{};
    k.name = name;
    k.nparams = (int) sizeof...(A);
    size_t sizes[] = {sizeof(A)..., 0};
    bool ptrs[] = {std::is_pointer_v<A>..., false};
    for (int i = 0; i < k.nparams; i++) { k.sizes[i] = sizes[i]; k.pointer[i] = ptrs[i]; }
    k.fn = reinterpret_cast<void *>(f);
    k.invoke = &KernelSig<A...>::invoke;
    return k;
}

struct Registrar {
    HostKernel k;
    explicit Registrar(HostKernel kk) : k(kk) { register_kernel(&k); }
};

} // namespace adlmock

#define ADLMOCK_KERNEL(name) static adlmock::Registrar adlmock_reg_##name(adlmock::describe(#name, &name));
