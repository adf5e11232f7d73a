/*
 * adl mock GPU — cuDNN descriptors: tensors (graph library), filters, convolutions (cnn library),
 * pooling (ops library), and the output-dimension queries. Pages:
 *   https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html (tensor)
 *   https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-cnn-library.html (filter, convolution)
 *   https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-ops-library.html (pooling)
 */
#include <stdlib.h>
#include "dnn_internal.h"

#define CREATE(fn, type, magicv)                                                          \
    DNN_EXPORT cudnnStatus_t fn(type *out) {                                              \
        if (out == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, #fn ": NULL out pointer"); \
        *out = calloc(1, sizeof **out);                                                   \
        if (*out == NULL) return dnn_fail(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, #fn ": out of host memory"); \
        (*out)->magic = magicv;                                                           \
        return CUDNN_STATUS_SUCCESS;                                                      \
    }
/* Destroying NULL does nothing; anything else must be a live descriptor of that kind. */
#define DESTROY(fn, type, magicv)                                                         \
    DNN_EXPORT cudnnStatus_t fn(type d) {                                                 \
        if (d == NULL) return CUDNN_STATUS_SUCCESS;                                       \
        if (d->magic != magicv) return dnn_fail(CUDNN_STATUS_BAD_PARAM, #fn ": not a descriptor of this kind (destroyed twice?)"); \
        d->magic = 0;                                                                     \
        free(d);                                                                          \
        return CUDNN_STATUS_SUCCESS;                                                      \
    }

CREATE(cudnnCreateTensorDescriptor, cudnnTensorDescriptor_t, DNN_MAGIC_TENSOR)
DESTROY(cudnnDestroyTensorDescriptor, cudnnTensorDescriptor_t, DNN_MAGIC_TENSOR)
CREATE(cudnnCreateFilterDescriptor, cudnnFilterDescriptor_t, DNN_MAGIC_FILTER)
DESTROY(cudnnDestroyFilterDescriptor, cudnnFilterDescriptor_t, DNN_MAGIC_FILTER)
CREATE(cudnnCreatePoolingDescriptor, cudnnPoolingDescriptor_t, DNN_MAGIC_POOL)
DESTROY(cudnnDestroyPoolingDescriptor, cudnnPoolingDescriptor_t, DNN_MAGIC_POOL)
DESTROY(cudnnDestroyConvolutionDescriptor, cudnnConvolutionDescriptor_t, DNN_MAGIC_CONV)

/* cudnnCreateConvolutionDescriptor: math type CUDNN_DEFAULT_MATH and group count 1 until set. */
DNN_EXPORT cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *out) {
    if (out == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnCreateConvolutionDescriptor: NULL out pointer");
    *out = calloc(1, sizeof **out);
    if (*out == NULL) return dnn_fail(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, "cudnnCreateConvolutionDescriptor: out of host memory");
    (*out)->magic = DNN_MAGIC_CONV;
    (*out)->groups = 1;
    (*out)->math = CUDNN_DEFAULT_MATH;
    return CUDNN_STATUS_SUCCESS;
}

static int data_type_ok(int t) { return t >= 0 && t <= DNN_DATA_TYPE_LAST; }

/* cudnnSetTensor4dDescriptorEx: BAD_PARAM when a dimension or stride is negative or dataType is not
 * an enumerant (the docs' list; the mock refuses a zero dimension too: no call here takes an empty
 * tensor); NOT_SUPPORTED over 2^31 elements. */
DNN_EXPORT cudnnStatus_t cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t d, cudnnDataType_t dataType, int n, int c,
                                                      int h, int w, int nStride, int cStride, int hStride, int wStride) {
    if (d == NULL || d->magic != DNN_MAGIC_TENSOR) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptorEx: not a tensor descriptor");
    if (!data_type_ok(dataType)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptorEx: dataType %d is not a cudnnDataType_t", dataType);
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptorEx: dims [%d, %d, %d, %d] must be positive", n, c, h, w);
    if (nStride < 0 || cStride < 0 || hStride < 0 || wStride < 0)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptorEx: strides [%d, %d, %d, %d] must not be negative",
                        nStride, cStride, hStride, wStride);
    if ((int64_t)n * c * h * w > INT32_MAX)
        return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "cudnnSetTensor4dDescriptorEx: [%d, %d, %d, %d] exceeds 2^31 elements", n, c, h, w);
    *d = (struct dnn_tensor){ DNN_MAGIC_TENSOR, 1, dataType, n, c, h, w, nStride, cStride, hStride, wStride };
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnSetTensor4dDescriptor: packed strides from the format (NCHW or NHWC). */
DNN_EXPORT cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t d, cudnnTensorFormat_t format,
                                                    cudnnDataType_t dataType, int n, int c, int h, int w) {
    if (format == CUDNN_TENSOR_NCHW) return cudnnSetTensor4dDescriptorEx(d, dataType, n, c, h, w, c * h * w, h * w, w, 1);
    if (format == CUDNN_TENSOR_NHWC) return cudnnSetTensor4dDescriptorEx(d, dataType, n, c, h, w, h * w * c, 1, w * c, c);
    if (format == CUDNN_TENSOR_NCHW_VECT_C)
        return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "cudnnSetTensor4dDescriptor: the mock has no CUDNN_TENSOR_NCHW_VECT_C");
    return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor: format %d is not a cudnnTensorFormat_t", format);
}

DNN_EXPORT cudnnStatus_t cudnnGetTensor4dDescriptor(const cudnnTensorDescriptor_t d, cudnnDataType_t *dataType, int *n, int *c,
                                                    int *h, int *w, int *nStride, int *cStride, int *hStride, int *wStride) {
    if (!dnn_tensor_ok(d)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetTensor4dDescriptor: descriptor not set");
    *dataType = d->type; *n = d->n; *c = d->c; *h = d->h; *w = d->w;
    *nStride = d->ns; *cStride = d->cs; *hStride = d->hs; *wStride = d->ws;
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnSetFilter4dDescriptor: BAD_PARAM when k, c, h or w is negative (the mock: or zero) or an enum
 * is invalid. */
DNN_EXPORT cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t d, cudnnDataType_t dataType,
                                                    cudnnTensorFormat_t format, int k, int c, int h, int w) {
    if (d == NULL || d->magic != DNN_MAGIC_FILTER) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: not a filter descriptor");
    if (!data_type_ok(dataType)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: dataType %d is not a cudnnDataType_t", dataType);
    if (format != CUDNN_TENSOR_NCHW && format != CUDNN_TENSOR_NHWC) {
        if (format == CUDNN_TENSOR_NCHW_VECT_C)
            return dnn_fail(CUDNN_STATUS_NOT_SUPPORTED, "cudnnSetFilter4dDescriptor: the mock has no CUDNN_TENSOR_NCHW_VECT_C");
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: format %d is not a cudnnTensorFormat_t", format);
    }
    if (k <= 0 || c <= 0 || h <= 0 || w <= 0)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: dims [%d, %d, %d, %d] must be positive", k, c, h, w);
    *d = (struct dnn_filter){ DNN_MAGIC_FILTER, 1, dataType, format, k, c, h, w };
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnSetConvolution2dDescriptor: BAD_PARAM when a padding is negative, a stride or dilation is
 * not positive, or mode / computeType is not an enumerant. Keeps the group count and math type. */
DNN_EXPORT cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t d, int pad_h, int pad_w, int u, int v,
                                                         int dilation_h, int dilation_w, cudnnConvolutionMode_t mode,
                                                         cudnnDataType_t computeType) {
    if (d == NULL || d->magic != DNN_MAGIC_CONV) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: not a convolution descriptor");
    if (pad_h < 0 || pad_w < 0 || u <= 0 || v <= 0 || dilation_h <= 0 || dilation_w <= 0)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: pad %dx%d, stride %dx%d, dilation %dx%d "
                        "(pads must be >= 0, strides and dilations > 0)", pad_h, pad_w, u, v, dilation_h, dilation_w);
    if (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: mode %d is not a cudnnConvolutionMode_t", mode);
    if (!data_type_ok(computeType))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: computeType %d is not a cudnnDataType_t", computeType);
    d->pad_h = pad_h; d->pad_w = pad_w; d->u = u; d->v = v; d->dil_h = dilation_h; d->dil_w = dilation_w;
    d->mode = mode; d->compute = computeType; d->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnSetConvolutionGroupCount: groupCount must be positive. */
DNN_EXPORT cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t d, int groupCount) {
    if (d == NULL || d->magic != DNN_MAGIC_CONV) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: not a convolution descriptor");
    if (groupCount < 1) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: groupCount %d < 1", groupCount);
    d->groups = groupCount;
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnSetConvolutionMathType: one of DEFAULT, TENSOR_OP, TENSOR_OP_ALLOW_CONVERSION, FMA. */
DNN_EXPORT cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t mathType) {
    if (d == NULL || d->magic != DNN_MAGIC_CONV) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: not a convolution descriptor");
    if (mathType < CUDNN_DEFAULT_MATH || mathType > CUDNN_FMA_MATH)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: mathType %d is not a cudnnMathType_t", mathType);
    d->math = mathType;
    return CUDNN_STATUS_SUCCESS;
}

DNN_EXPORT cudnnStatus_t cudnnGetConvolutionGroupCount(cudnnConvolutionDescriptor_t d, int *groupCount) {
    if (d == NULL || d->magic != DNN_MAGIC_CONV || groupCount == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionGroupCount: bad argument");
    *groupCount = d->groups;
    return CUDNN_STATUS_SUCCESS;
}

DNN_EXPORT cudnnStatus_t cudnnGetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t *mathType) {
    if (d == NULL || d->magic != DNN_MAGIC_CONV || mathType == NULL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionMathType: bad argument");
    *mathType = d->math;
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnGetConvolution2dForwardOutputDim: outputDim = 1 + (inputDim + 2*pad - ((filterDim-1)*dilation + 1)) / stride.
 * BAD_PARAM when a descriptor is not set, x's channels are not filter c × groups, or the dilated
 * filter is larger than the padded input. */
cudnnStatus_t dnn_conv_out_dim(const char *fn, const struct dnn_conv *conv, const struct dnn_tensor *x, const struct dnn_filter *f, int out[4]) {
    if (!dnn_conv_ok(conv) || !dnn_tensor_ok(x) || !dnn_filter_ok(f))
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: a convolution, tensor or filter descriptor is NULL or not set", fn);
    if (x->c != f->c * conv->groups)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: x has %d channels, filter [%d, %d, %d, %d] x %d groups wants %d",
                        fn, x->c, f->k, f->c, f->r, f->s, conv->groups, f->c * conv->groups);
    int eh = (f->r - 1) * conv->dil_h + 1, ew = (f->s - 1) * conv->dil_w + 1;
    if (eh > x->h + 2 * conv->pad_h || ew > x->w + 2 * conv->pad_w)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: dilated filter %dx%d larger than padded input %dx%d",
                        fn, eh, ew, x->h + 2 * conv->pad_h, x->w + 2 * conv->pad_w);
    out[0] = x->n;
    out[1] = f->k;
    out[2] = 1 + (x->h + 2 * conv->pad_h - eh) / conv->u;
    out[3] = 1 + (x->w + 2 * conv->pad_w - ew) / conv->v;
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnGetConvolution2dForwardOutputDim: outputDim = 1 + (inputDim + 2*pad - ((filterDim-1)*dilation + 1)) / stride.
 * BAD_PARAM when a descriptor is not set, x's channels are not filter c × groups, or the dilated
 * filter is larger than the padded input. */
DNN_EXPORT cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(const cudnnConvolutionDescriptor_t conv, const cudnnTensorDescriptor_t x,
                                                               const cudnnFilterDescriptor_t f, int *n, int *c, int *h, int *w) {
    int o[4];
    if (!n || !c || !h || !w) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolution2dForwardOutputDim: NULL out pointer");
    cudnnStatus_t s = dnn_conv_out_dim("cudnnGetConvolution2dForwardOutputDim", conv, x, f, o);
    if (s == CUDNN_STATUS_SUCCESS) { *n = o[0]; *c = o[1]; *h = o[2]; *w = o[3]; }
    return s;
}

/* cudnnSetPooling2dDescriptor: BAD_PARAM when a window or stride is not positive, a padding is
 * negative, or mode / maxpoolingNanOpt is not an enumerant. */
DNN_EXPORT cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t d, cudnnPoolingMode_t mode, cudnnNanPropagation_t nan,
                                                     int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding,
                                                     int verticalStride, int horizontalStride) {
    if (d == NULL || d->magic != DNN_MAGIC_POOL) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetPooling2dDescriptor: not a pooling descriptor");
    if (mode < CUDNN_POOLING_MAX || mode > CUDNN_POOLING_MAX_DETERMINISTIC)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetPooling2dDescriptor: mode %d is not a cudnnPoolingMode_t", mode);
    if (nan != CUDNN_NOT_PROPAGATE_NAN && nan != CUDNN_PROPAGATE_NAN)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetPooling2dDescriptor: maxpoolingNanOpt %d is not a cudnnNanPropagation_t", nan);
    if (windowHeight <= 0 || windowWidth <= 0 || verticalStride <= 0 || horizontalStride <= 0 || verticalPadding < 0 || horizontalPadding < 0)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetPooling2dDescriptor: window %dx%d, pad %dx%d, stride %dx%d "
                        "(windows and strides must be > 0, pads >= 0)", windowHeight, windowWidth, verticalPadding, horizontalPadding,
                        verticalStride, horizontalStride);
    *d = (struct dnn_pool){ DNN_MAGIC_POOL, 1, mode, nan, windowHeight, windowWidth, verticalPadding, horizontalPadding,
                            verticalStride, horizontalStride };
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t dnn_pool_out_dim(const char *fn, const struct dnn_pool *p, const struct dnn_tensor *x, int out[4]) {
    if (!dnn_pool_ok(p) || !dnn_tensor_ok(x)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: a pooling or tensor descriptor is NULL or not set", fn);
    if (x->h + 2 * p->pad_h < p->win_h || x->w + 2 * p->pad_w < p->win_w)
        return dnn_fail(CUDNN_STATUS_BAD_PARAM, "%s: window %dx%d larger than padded input %dx%d",
                        fn, p->win_h, p->win_w, x->h + 2 * p->pad_h, x->w + 2 * p->pad_w);
    out[0] = x->n;
    out[1] = x->c;
    out[2] = 1 + (x->h + 2 * p->pad_h - p->win_h) / p->stride_h;
    out[3] = 1 + (x->w + 2 * p->pad_w - p->win_w) / p->stride_w;
    return CUDNN_STATUS_SUCCESS;
}

/* cudnnGetPooling2dForwardOutputDim: outputDim = 1 + (inputDim + 2*padding - windowDim) / poolingStride. */
DNN_EXPORT cudnnStatus_t cudnnGetPooling2dForwardOutputDim(const cudnnPoolingDescriptor_t p, const cudnnTensorDescriptor_t x,
                                                           int *n, int *c, int *h, int *w) {
    int o[4];
    if (!n || !c || !h || !w) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetPooling2dForwardOutputDim: NULL out pointer");
    cudnnStatus_t s = dnn_pool_out_dim("cudnnGetPooling2dForwardOutputDim", p, x, o);
    if (s == CUDNN_STATUS_SUCCESS) { *n = o[0]; *c = o[1]; *h = o[2]; *w = o[3]; }
    return s;
}

/* cudnnDeriveBNTensorDescriptor: 1xCx1x1 for the spatial modes, 1xCxHxW per activation. */
DNN_EXPORT cudnnStatus_t cudnnDeriveBNTensorDescriptor(cudnnTensorDescriptor_t derived, const cudnnTensorDescriptor_t x,
                                                       cudnnBatchNormMode_t mode) {
    if (!dnn_tensor_ok(x)) return dnn_fail(CUDNN_STATUS_BAD_PARAM, "cudnnDeriveBNTensorDescriptor: xDesc not set");
    int h = mode == CUDNN_BATCHNORM_PER_ACTIVATION ? x->h : 1, w = mode == CUDNN_BATCHNORM_PER_ACTIVATION ? x->w : 1;
    cudnnDataType_t t = x->type == CUDNN_DATA_DOUBLE ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
    return cudnnSetTensor4dDescriptor(derived, CUDNN_TENSOR_NCHW, t, 1, x->c, h, w);
}
