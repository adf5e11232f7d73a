package adl.backend;

/**
 * Geometry of a 2-D pooling window, PyTorch semantics (floor mode): Ho = (H + 2*pad - k) / stride + 1.
 * {@code countIncludePad} only matters for average pooling (DARTS uses false).
 */
public record PoolParams(int kernel, int stride, int pad, boolean countIncludePad) {
    public PoolParams {
        if (kernel < 1 || stride < 1 || pad < 0 || pad > kernel / 2) {
            throw new IllegalArgumentException("invalid pooling geometry " + this);
        }
    }

    public int outSize(int in) { return (in + 2 * pad - kernel) / stride + 1; }
}
