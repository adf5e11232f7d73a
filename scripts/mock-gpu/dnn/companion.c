/*
 * adl mock GPU — a cuDNN 9 sub-library (libcudnn_graph.so.9, libcudnn_ops.so.9, libcudnn_cnn.so.9).
 * Real cuDNN 9 splits its API over these, and libcudnn.so.9 loads them; the mock implements every
 * call in libcudnn.so.9 itself, which names these three as DT_NEEDED so a folder without them fails
 * to load, as with the real library. Each exports one symbol naming itself (for tests).
 */
#ifndef COMPANION
#error "build with -DCOMPANION=graph|ops|cnn"
#endif
#define STR2(x) #x
#define STR(x) STR2(x)
#define NAME2(a) adlmock_cudnn_##a##_library
#define NAME(a) NAME2(a)

__attribute__((visibility("default"))) const char *NAME(COMPANION)(void) { return "libcudnn_" STR(COMPANION) ".so.9 (adl mock)"; }
