package adl.nas.retrain;

import adl.autograd.ElementwiseOps;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

/**
 * The retrain stem (docs/06-retrain.md §1, hnasnet's _nas_stem):
 * <pre>
 *   conv0 3×3 s2, 3→64 → bn0 → ReLU → conv1 3×3, 64→64 → bn1           = rate-2 tensor (the first H^{l−2})
 *   → ReLU → conv2 3×3 s2, 64→128 → bn2                                 = rate-4 tensor (the first H^{l−1})
 * </pre>
 * x: [N, 3, H, W] → [N, 64, ⌈H/2⌉, ⌈W/2⌉] and [N, 128, ⌈⌈H/2⌉/2⌉, ...]; padding 1, no ReLU after
 * bn1 / bn2 (the cells' input preparation starts with one). Widths from {@link FixedNetwork.Widths}.
 */
public final class FixedStem extends Module {
    private final Conv2d conv0, conv1, conv2;
    private final BatchNorm2d bn0, bn1, bn2;

    FixedStem(Init init, FixedNetwork.Config cfg) {
        int w2 = cfg.widths().stem(), w4 = cfg.widths().stemOut();
        conv0 = registerModule("conv0", Conv2d.of(3, w2, 3).stride(2).padding(1).bias(false).build(init));
        bn0 = registerModule("bn0", cfg.batchNorm(init, w2));
        conv1 = registerModule("conv1", Conv2d.of(w2, w2, 3).padding(1).bias(false).build(init));
        bn1 = registerModule("bn1", cfg.batchNorm(init, w2));
        conv2 = registerModule("conv2", Conv2d.of(w2, w4, 3).stride(2).padding(1).bias(false).build(init));
        bn2 = registerModule("bn2", cfg.batchNorm(init, w4));
    }

    /** {rate-2 tensor, rate-4 tensor}. */
    public Tensor[] forwardBoth(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != 3) throw new IllegalArgumentException("the stem expects images [N, 3, H, W], got " + x.shape());
        Tensor rate2 = bn1.forward(conv1.forward(ElementwiseOps.relu(bn0.forward(conv0.forward(x)))));
        return new Tensor[] {rate2, bn2.forward(conv2.forward(ElementwiseOps.relu(rate2)))};
    }

    @Override public Tensor forward(Tensor x) { return forwardBoth(x)[1]; }

    /** {@link #forwardBoth} in {@code g}: {rate-2 value, rate-4 value}. */
    String[] emitBoth(GraphSink g, String x) {
        String rate2 = g.batchNorm(g.conv(g.relu(g.batchNorm(g.conv(x, conv0), bn0)), conv1), bn1);
        return new String[] {rate2, g.batchNorm(g.conv(g.relu(rate2), conv2), bn2)};
    }

    /** Shape-only walk of the rate-2 part: [3, H, W] → [64, ⌈H/2⌉, ⌈W/2⌉]. */
    int[] traceRate2(int[] chw, Cost cost) {
        int[] s = cost.conv(conv0, chw[1], chw[2]);
        cost.bn(bn0);
        s = cost.conv(conv1, s[1], s[2]);
        cost.bn(bn1);
        return s;
    }

    /** Shape-only walk of the rate-4 part: rate-2 shape → [128, ⌈h/2⌉, ⌈w/2⌉]. */
    int[] traceRate4(int[] chw, Cost cost) {
        int[] s = cost.conv(conv2, chw[1], chw[2]);
        cost.bn(bn2);
        return s;
    }
}
