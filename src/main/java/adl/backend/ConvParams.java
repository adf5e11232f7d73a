package adl.backend;

/**
 * Geometry of a 2-D convolution, PyTorch semantics: x [N, Cin, H, W], w [Cout, Cin/groups, kh, kw],
 * y [N, Cout, Ho, Wo] with Ho = (H + 2*padH - dilH*(kh-1) - 1) / strideH + 1 (same for W).
 */
public record ConvParams(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
    public ConvParams {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("invalid convolution geometry " + this);
        }
    }

    public static ConvParams of(int stride, int pad, int dilation, int groups) {
        return new ConvParams(stride, stride, pad, pad, dilation, dilation, groups);
    }

    public int outH(int h, int kh) { return (h + 2 * padH - dilationH * (kh - 1) - 1) / strideH + 1; }

    public int outW(int w, int kw) { return (w + 2 * padW - dilationW * (kw - 1) - 1) / strideW + 1; }
}
