package adl.backend.cuda;

/**
 * The cuDNN calls {@link CudnnOps} makes, one method per legacy-API entry point it needs, with
 * descriptors and device pointers as plain addresses — so tests can record what would be passed
 * without a GPU. {@link CudnnNative} is the real one. All data is float32 NCHW, alpha = 1, beta = 0.
 */
interface CudnnApi {
    /** Which convolution pass an algorithm or call is for. */
    enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    /** An algorithm and the workspace it needs. */
    record Algo(int algo, long workspaceBytes) {}

    long tensor4d(int n, int c, int h, int w);

    long filter4d(int k, int c, int r, int s);

    /** Cross-correlation, float compute, {@code groups} via cudnnSetConvolutionGroupCount, then the math type. */
    long convolution(int padH, int padW, int strideH, int strideW, int dilH, int dilW, int groups, int mathType);

    long pooling(int mode, int window, int pad, int stride);

    /** The first algorithm cudnnGet*Algorithm_v7 ranks usable for {@code pass}. */
    Algo algorithm(Pass pass, long xDesc, long wDesc, long convDesc, long yDesc);

    /**
     * Runs {@code pass}: FORWARD y = conv(x, w); BACKWARD_DATA x = dL/dx from y = dL/dy and w;
     * BACKWARD_FILTER w = dL/dw from x and y = dL/dy.
     */
    void convolve(Pass pass, long xDesc, long x, long wDesc, long w, long convDesc, Algo algo, long workspace, long yDesc, long y);

    /** cudnnBatchNormalizationForwardTraining, CUDNN_BATCHNORM_SPATIAL; runMean/runVar 0 = not updated. */
    void batchNormTrain(long xDesc, long x, long y, long bnDesc, long scale, long bias, double factor, long runMean, long runVar,
                        double eps, long saveMean, long saveInvStd);

    void batchNormInference(long xDesc, long x, long y, long bnDesc, long scale, long bias, long mean, long var, double eps);

    void batchNormBackward(long xDesc, long x, long dy, long dx, long bnDesc, long scale, long dScale, long dBias, double eps,
                           long saveMean, long saveInvStd);

    void poolForward(long poolDesc, long xDesc, long x, long yDesc, long y);

    void poolBackward(long poolDesc, long yDesc, long y, long dy, long xDesc, long x, long dx);
}
