/*
 * adl mock GPU — the mock cuDNN's own structs and helpers (not exported).
 *
 * Every call that touches data validates its arguments at call time (returning the documented
 * status), then snapshots descriptors and alpha/beta by value into one malloc'd arg and hands it to
 * adlmock_enqueue (adl_mock.h), so stream capture records it; device pointers stay CUdeviceptr
 * values until the work runs, when adlmock_device_ptr turns them into host addresses.
 */
#ifndef ADL_MOCK_DNN_INTERNAL_H
#define ADL_MOCK_DNN_INTERNAL_H

#include <stdint.h>
#include "cudnn_api.h"
#include "adl_mock.h"

#define DNN_MAGIC_HANDLE 0x444e4e48u /* "DNNH" */
#define DNN_MAGIC_TENSOR 0x444e4e54u
#define DNN_MAGIC_FILTER 0x444e4e46u
#define DNN_MAGIC_CONV 0x444e4e43u
#define DNN_MAGIC_POOL 0x444e4e50u

struct dnn_handle { uint32_t magic; CUstream stream; };

/* A 4-D tensor: dims n, c, h, w and element strides (cudnnSetTensor4dDescriptor[Ex]). */
struct dnn_tensor { uint32_t magic; int set; cudnnDataType_t type; int n, c, h, w; int ns, cs, hs, ws; };

/* A 4-D filter [k, c, r, s]: NCHW = KCRS contiguous, NHWC = KRSC contiguous. */
struct dnn_filter { uint32_t magic; int set; cudnnDataType_t type; cudnnTensorFormat_t format; int k, c, r, s; };

struct dnn_conv {
    uint32_t magic; int set;
    int pad_h, pad_w, u, v, dil_h, dil_w;
    cudnnConvolutionMode_t mode; cudnnDataType_t compute; int groups; cudnnMathType_t math;
};

struct dnn_pool {
    uint32_t magic; int set;
    cudnnPoolingMode_t mode; cudnnNanPropagation_t nan;
    int win_h, win_w, pad_h, pad_w, stride_h, stride_w;
};

/* Records the reason for a failing status (cudnnGetLastErrorString) and returns the status. */
cudnnStatus_t dnn_fail(cudnnStatus_t s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int dnn_handle_ok(const struct dnn_handle *h);
int dnn_tensor_ok(const struct dnn_tensor *t);
int dnn_filter_ok(const struct dnn_filter *f);
int dnn_conv_ok(const struct dnn_conv *c);
int dnn_pool_ok(const struct dnn_pool *p);

/* The output dims of cudnnGetConvolution2dForwardOutputDim / cudnnGetPooling2dForwardOutputDim
 * (out[4] = n, c, h, w), with their checks; fn names the caller in the message. */
cudnnStatus_t dnn_conv_out_dim(const char *fn, const struct dnn_conv *conv, const struct dnn_tensor *x, const struct dnn_filter *f, int out[4]);
cudnnStatus_t dnn_pool_out_dim(const char *fn, const struct dnn_pool *p, const struct dnn_tensor *x, int out[4]);

/* Element offset of (n, c, h, w) in t. */
static inline int64_t dnn_at(const struct dnn_tensor *t, int n, int c, int h, int w) {
    return (int64_t)n * t->ns + (int64_t)c * t->cs + (int64_t)h * t->hs + (int64_t)w * t->ws;
}
/* Element offset of (k, c, r, s) in f. */
static inline int64_t dnn_filter_at(const struct dnn_filter *f, int k, int c, int r, int s) {
    if (f->format == CUDNN_TENSOR_NHWC) return (((int64_t)k * f->r + r) * f->s + s) * f->c + c;
    return (((int64_t)k * f->c + c) * f->r + r) * f->s + s;
}
/* Bytes a tensor spans: (largest offset + 1) elements of 4 bytes. */
size_t dnn_tensor_bytes(const struct dnn_tensor *t);
static inline size_t dnn_filter_bytes(const struct dnn_filter *f) { return (size_t)f->k * f->c * f->r * f->s * 4; }

/* A float rounded to TF32: 8 exponent bits, 10 mantissa bits, products then summed in float32
 * (https://developer.nvidia.com/blog/accelerating-ai-training-with-tf32-tensor-cores/). Ties to
 * even is the mock's choice (the hardware's cvt.rna.tf32.f32 rounds ties away from zero); any
 * rounding to 10 bits makes a TF32 result differ from the float32 one. NaN/Inf unchanged. */
static inline float dnn_tf32(float x) {
    union { float f; uint32_t u; } b = { x };
    if ((b.u & 0x7f800000u) == 0x7f800000u) return x;
    b.u += 0xfffu + ((b.u >> 13) & 1u);
    b.u &= ~0x1fffu;
    return b.f;
}

/* alpha·computed + beta·prior, not reading prior when beta == 0 (the blending rule of every
 * cuDNN call: "dstValue = alpha[0]*result + beta[0]*priorDstValue"). */
static inline float dnn_blend(float alpha, float computed, float beta, const float *prior) {
    return beta == 0.0f ? alpha * computed : alpha * computed + beta * *prior;
}

/* How the mock's convolution algorithms compute (dnn_algo.c): TF32 inputs and/or a summation
 * order that changes from one execution to the next. */
typedef struct { int supported; int tf32; int nondeterministic; size_t workspace; } dnn_algo_traits;
enum dnn_pass { DNN_FWD = 0, DNN_BWD_DATA = 1, DNN_BWD_FILTER = 2 };
dnn_algo_traits dnn_algo(enum dnn_pass pass, int algo, const struct dnn_tensor *x, const struct dnn_filter *w,
                         const struct dnn_conv *c, const struct dnn_tensor *y);
/* Validates the descriptors of a convolution (x, w, conv, y = the forward's output shape):
 * set, same float type, channels / groups / output dims consistent. Names fn in the message. */
cudnnStatus_t dnn_conv_shapes(const char *fn, const struct dnn_tensor *x, const struct dnn_filter *w,
                              const struct dnn_conv *c, const struct dnn_tensor *y);
/* A new rotation for one run of a non-deterministic algorithm (a process-wide counter). */
unsigned dnn_next_rotation(void);

/* Reads the version override ADL_MOCK_<name> (decimal), or returns def. */
long dnn_env_version(const char *name, long def);

#endif
