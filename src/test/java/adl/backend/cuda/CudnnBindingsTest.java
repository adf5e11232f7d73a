package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cuDNN binding table against (1) the cuDNN 9 prototypes quoted below and (2) the installed headers
 * when cudnn_*.h exist. The quotes are from cuDNN 9.6.0's include/cudnn_ops.h and include/cudnn_cnn.h as
 * shipped in a CUDA 12.6 tree (github.com/zspace/system.cuda-12.6); cudnnGetVersion, cudnnGetErrorString,
 * cudnnCreate, cudnnDestroy, cudnnSetStream (cudnn_graph.h in 9.x) have kept these signatures since cuDNN 1,
 * cudnnGetCudartVersion ("Returns CUDA Runtime version statically linked against cudnn") since cuDNN 7.
 */
class CudnnBindingsTest {
    static final String PROTOTYPES = """
            size_t CUDNNWINAPI cudnnGetVersion(void);
            size_t CUDNNWINAPI cudnnGetCudartVersion(void);
            const char *CUDNNWINAPI cudnnGetErrorString(cudnnStatus_t status);
            cudnnStatus_t CUDNNWINAPI cudnnCreate(cudnnHandle_t *handle);
            cudnnStatus_t CUDNNWINAPI cudnnDestroy(cudnnHandle_t handle);
            cudnnStatus_t CUDNNWINAPI cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId);
            cudnnStatus_t CUDNNWINAPI cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc);
            cudnnStatus_t CUDNNWINAPI cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format,
                cudnnDataType_t dataType, int n, int c, int h, int w);
            cudnnStatus_t CUDNNWINAPI cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType,
                int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride);
            cudnnStatus_t CUDNNWINAPI cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc,
                cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c, int h, int w);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc,
                int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, cudnnConvolutionMode_t mode,
                cudnnDataType_t computeType);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle,
                const cudnnTensorDescriptor_t srcDesc, const cudnnFilterDescriptor_t filterDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t destDesc,
                const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t *perfResults);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle,
                const cudnnFilterDescriptor_t filterDesc, const cudnnTensorDescriptor_t diffDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t gradDesc,
                const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle,
                const cudnnTensorDescriptor_t srcDesc, const cudnnTensorDescriptor_t diffDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc,
                const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnFindConvolutionForwardAlgorithm(cudnnHandle_t handle,
                const cudnnTensorDescriptor_t xDesc, const cudnnFilterDescriptor_t wDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc,
                const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t *perfResults);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnFindConvolutionBackwardDataAlgorithm(cudnnHandle_t handle,
                const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc,
                const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnFindConvolutionBackwardFilterAlgorithm(cudnnHandle_t handle,
                const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t dwDesc,
                const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle,
                const cudnnTensorDescriptor_t xDesc, const cudnnFilterDescriptor_t wDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc,
                cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle,
                const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc,
                cudnnConvolutionBwdDataAlgo_t algo, size_t *sizeInBytes);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle,
                const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc,
                const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc,
                cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha,
                const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnFilterDescriptor_t wDesc, const void *w,
                const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void *workSpace,
                size_t workSpaceSizeInBytes, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnConvolutionBackwardData(cudnnHandle_t handle, const void *alpha,
                const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnTensorDescriptor_t dyDesc, const void *dy,
                const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo, void *workSpace,
                size_t workSpaceSizeInBytes, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void *alpha,
                const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy,
                const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace,
                size_t workSpaceSizeInBytes, const void *beta, const cudnnFilterDescriptor_t dwDesc, void *dw);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnBatchNormalizationForwardTraining(cudnnHandle_t handle,
                cudnnBatchNormMode_t mode, const void *alpha, const void *beta, const cudnnTensorDescriptor_t xDesc,
                const void *x, const cudnnTensorDescriptor_t yDesc, void *y, const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc,
                const void *bnScale, const void *bnBias, double exponentialAverageFactor, void *resultRunningMean,
                void *resultRunningVariance, double epsilon, void *resultSaveMean, void *resultSaveInvVariance);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnBatchNormalizationForwardInference(cudnnHandle_t handle,
                cudnnBatchNormMode_t mode, const void *alpha, const void *beta, const cudnnTensorDescriptor_t xDesc,
                const void *x, const cudnnTensorDescriptor_t yDesc, void *y, const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc,
                const void *bnScale, const void *bnBias, const void *estimatedMean, const void *estimatedVariance, double epsilon);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnBatchNormalizationBackward(cudnnHandle_t handle,
                cudnnBatchNormMode_t mode, const void *alphaDataDiff, const void *betaDataDiff, const void *alphaParamDiff,
                const void *betaParamDiff, const cudnnTensorDescriptor_t xDesc, const void *x,
                const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t dxDesc, void *dx,
                const cudnnTensorDescriptor_t dBnScaleBiasDesc, const void *bnScale, void *dBnScaleResult, void *dBnBiasResult,
                double epsilon, const void *savedMean, const void *savedInvVariance);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t *poolingDesc);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t poolingDesc,
                cudnnPoolingMode_t mode, cudnnNanPropagation_t maxpoolingNanOpt, int windowHeight, int windowWidth,
                int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t poolingDesc);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnPoolingForward(cudnnHandle_t handle,
                const cudnnPoolingDescriptor_t poolingDesc, const void *alpha, const cudnnTensorDescriptor_t xDesc,
                const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y);
            CUDNN_DEPRECATED cudnnStatus_t CUDNNWINAPI cudnnPoolingBackward(cudnnHandle_t handle,
                const cudnnPoolingDescriptor_t poolingDesc, const void *alpha, const cudnnTensorDescriptor_t yDesc,
                const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t xDesc,
                const void *x, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx);
            """;

    /** cuDNN's handle and descriptor typedefs are struct pointers; its *_t value types are enums. */
    static final Map<String, MemoryLayout> TYPES = types();

    private static Map<String, MemoryLayout> types() {
        Map<String, MemoryLayout> m = new HashMap<>();
        for (String h : List.of("cudnnHandle_t", "cudaStream_t", "cudnnTensorDescriptor_t", "cudnnFilterDescriptor_t",
                "cudnnConvolutionDescriptor_t", "cudnnPoolingDescriptor_t")) m.put(h, CHeaders.P);
        for (String e : List.of("cudnnStatus_t", "cudnnTensorFormat_t", "cudnnDataType_t", "cudnnConvolutionMode_t", "cudnnMathType_t",
                "cudnnConvolutionFwdAlgo_t", "cudnnConvolutionBwdDataAlgo_t", "cudnnConvolutionBwdFilterAlgo_t",
                "cudnnBatchNormMode_t", "cudnnPoolingMode_t", "cudnnNanPropagation_t")) m.put(e, CHeaders.I);
        return m;
    }

    @Test void bindingsMatchTheQuotedPrototypes() {
        var decls = CHeaders.declarations(PROTOTYPES);
        assertEquals(Cudnn.BINDINGS.size(), decls.size(), "one quoted prototype per binding");
        List<String> problems = CHeaders.compare(Cudnn.BINDINGS, decls, TYPES);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test void bindingsMatchInstalledHeaders() throws IOException {
        Path dir = Stream.of(System.getenv("ADL_CUDNN_INCLUDE"), "/usr/include", "/usr/local/cuda/include", "/usr/include/x86_64-linux-gnu")
                .filter(s -> s != null && Files.isRegularFile(Path.of(s, "cudnn_cnn.h"))).map(Path::of).findFirst().orElse(null);
        assumeTrue(dir != null, "no cuDNN 9 headers (cudnn_cnn.h) installed");
        StringBuilder text = new StringBuilder();
        for (String h : List.of("cudnn_graph.h", "cudnn_ops.h", "cudnn_cnn.h")) {
            if (Files.isRegularFile(dir.resolve(h))) text.append(Files.readString(dir.resolve(h))).append('\n');
        }
        var types = CHeaders.typedefs(text.toString(), Map.of("cudaStream_t", CHeaders.P));
        List<String> problems = CHeaders.compare(Cudnn.BINDINGS, CHeaders.declarations(text.toString()), types);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
