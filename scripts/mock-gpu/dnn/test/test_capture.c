/* dnn_test: work on a capturing stream is recorded, not run, with alpha/beta snapshotted at the
 * call; each graph launch runs it again on the device memory of that moment (adl_mock.h). */
#include <stdlib.h>
#include "dnn_test.h"

#ifdef ADL_DNN_TEST_STUB
void test_capture(cudnnHandle_t h) { (void)h; printf("dnn_test: capture skipped (stub driver)\n"); }
#else
void test_capture(cudnnHandle_t h) {
    float xs[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, ws[4] = { 1, 1, 1, 1 }, minus[4] = { -1, -1, -1, -1 };
    float *x = dev_floats(xs, 9), *w = dev_floats(ws, 4), *y = dev_floats(minus, 4), *c = dev_floats(minus, 1);
    cudnnTensorDescriptor_t xd = tensor(1, 1, 3, 3), yd = tensor(1, 1, 2, 2);
    cudnnFilterDescriptor_t wd;
    cudnnConvolutionDescriptor_t cd;
    DNN_OK(cudnnCreateFilterDescriptor(&wd));
    DNN_OK(cudnnSetFilter4dDescriptor(wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 1, 1, 2, 2));
    DNN_OK(cudnnCreateConvolutionDescriptor(&cd));
    DNN_OK(cudnnSetConvolution2dDescriptor(cd, 0, 0, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    DNN_OK(cudnnSetConvolutionMathType(cd, CUDNN_FMA_MATH));
    size_t wsb = 0;
    DNN_OK(cudnnGetConvolutionForwardWorkspaceSize(h, xd, wd, cd, yd, 0, &wsb));
    float *wsp = dev_floats(NULL, wsb / 4 + 1);
    cublasHandle_t bh;
    CHECK(cublasCreate_v2(&bh) == CUBLAS_STATUS_SUCCESS && cublasSetStream_v2(bh, g_stream) == CUBLAS_STATUS_SUCCESS, "cuBLAS handle");
    CUgraph graph = NULL;
    CUgraphExec exec = NULL;
    CUresult r = cuStreamBeginCapture(g_stream, CU_STREAM_CAPTURE_MODE_GLOBAL);
    CHECK(r == CUDA_SUCCESS, "cuStreamBeginCapture -> %d", (int)r);
    float alpha = 1, beta = 0;
    DNN_OK(cudnnConvolutionForward(h, &alpha, xd, x, wd, w, cd, 0, wsp, wsb, &beta, yd, y));
    /* c (1x1) = x[0..2] · w[0..2] as a 1x3 by 3x1 SGEMM. */
    CHECK(cublasSgemm_v2(bh, 0, 0, 1, 1, 3, &alpha, x, 1, w, 3, &beta, c, 1) == CUBLAS_STATUS_SUCCESS, "sgemm while capturing");
    alpha = 100; /* snapshotted at the call: the graph keeps alpha = 1 */
    r = cuStreamEndCapture(g_stream, &graph);
    CHECK(r == CUDA_SUCCESS && graph != NULL, "cuStreamEndCapture -> %d", (int)r);
    CHECK(y[0] == -1 && c[0] == -1, "captured work ran during capture (y[0] = %g, c = %g)", y[0], c[0]);
    r = cuGraphInstantiate(&exec, graph, 0);
    CHECK(r == CUDA_SUCCESS, "cuGraphInstantiate -> %d", (int)r);
    if (r == CUDA_SUCCESS) {
        const float want[4] = { 12, 16, 24, 28 };
        CHECK(cuGraphLaunch(exec, g_stream) == CUDA_SUCCESS, "cuGraphLaunch");
        sync_stream();
        close_to("conv replayed from the graph (alpha 1)", y, want, 4, 0, 0);
        CHECK(c[0] == 6, "sgemm replayed from the graph: %g, want 6", c[0]);
        x[0] = 101; /* the replay reads the memory of its own time */
        CHECK(cuGraphLaunch(exec, g_stream) == CUDA_SUCCESS, "cuGraphLaunch again");
        sync_stream();
        CHECK(y[0] == 112 && c[0] == 106, "second replay: y[0] = %g (want 112), c = %g (want 106)", y[0], c[0]);
        cuGraphExecDestroy(exec);
    }
    if (graph) cuGraphDestroy(graph);
    CHECK(cublasDestroy_v2(bh) == CUBLAS_STATUS_SUCCESS, "cublasDestroy_v2");
    DNN_OK(cudnnDestroyTensorDescriptor(xd));
    DNN_OK(cudnnDestroyTensorDescriptor(yd));
    DNN_OK(cudnnDestroyFilterDescriptor(wd));
    DNN_OK(cudnnDestroyConvolutionDescriptor(cd));
    dev_free(x); dev_free(w); dev_free(y); dev_free(c); dev_free(wsp);
}
#endif
