package adl.nas.retrain;

import adl.backend.PoolParams;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;

/**
 * The retrained network written out as a dataflow graph in eval mode (no dropout, no drop-path),
 * for export (docs/09-deployment.md). Each method adds one operation and returns the name of its
 * output value; values are NCHW float tensors whose height and width stay symbolic, so sizes are
 * taken from other values, never fixed: {@link #resizeLike} and {@link #expandLike} read the
 * target size from the value they must match, {@link #resizeHalf} computes ⌈h/2⌉ × ⌈w/2⌉.
 * Weights are passed as the live modules; the sink finds their state-dict names itself.
 */
public interface GraphSink {
    /** conv (weight, optional bias, stride, padding, dilation, groups as in {@code conv}). */
    String conv(String x, Conv2d conv);

    /** Inference-mode batch norm with the running statistics and eps of {@code bn}. */
    String batchNorm(String x, BatchNorm2d bn);

    String relu(String x);

    String add(String a, String b);

    /** Concatenation along channels, in argument order. */
    String concat(String... xs);

    /** 2-d max or average pooling with {@code p}'s window, stride, padding and count_include_pad. */
    String pool(String x, PoolParams p, boolean max);

    /** Spatial mean: [N, C, h, w] → [N, C, 1, 1]. */
    String globalAvgPool(String x);

    /** [N, C, 1, 1] broadcast to the shape of {@code like} [N, C, h, w]. */
    String expandLike(String x, String like);

    /** Bilinear resize (align_corners false) of x [N, C, ·, ·] to like's height and width. */
    String resizeLike(String x, String like);

    /** Bilinear resize (align_corners false) of x [N, C, h, w] to ⌈h/2⌉ × ⌈w/2⌉. */
    String resizeHalf(String x);
}
