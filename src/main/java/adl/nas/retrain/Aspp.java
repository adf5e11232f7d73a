package adl.nas.retrain;

import adl.autograd.PoolOps;
import adl.autograd.ShapeOps;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Atrous spatial pyramid pooling (DeepLabv3; docs/06-retrain.md §3) on ReLU(last cell output).
 * Five branches, each conv → BN → ReLU with A = 256 filters: {@code conv1x1}; {@code atrous0..2},
 * ORDINARY 3×3 convs with dilation (12, 24, 36)·8/OS (padding = dilation, size kept);
 * {@code pooling}, spatial mean → 1×1 → BN → ReLU, broadcast back. Concat (5A) → {@code project}
 * 1×1 to A → BN → ReLU → dropout (keep 0.9, training only).
 * x: [N, Cin, h, w] → [N, A, h, w].
 */
public final class Aspp extends Module {
    /** DeepLabv3's atrous rates at output stride 8. */
    static final int[] RATES_AT_OS8 = {12, 24, 36};

    private final ConvBn conv1x1, pooling, project;
    private final ConvBn[] atrous = new ConvBn[RATES_AT_OS8.length];
    private final int[] dilations;
    private final double keep;
    private final DropSchedule drops;

    Aspp(Init init, FixedNetwork.Config cfg, DropSchedule drops, int in, int outputStride) {
        int a = cfg.widths().aspp();
        this.dilations = rates(outputStride);
        this.keep = cfg.dropoutKeep();
        this.drops = drops;
        conv1x1 = registerModule("conv1x1", new ConvBn(init, cfg, in, a, 1, 1, 1, true));
        for (int i = 0; i < atrous.length; i++) {
            atrous[i] = registerModule("atrous" + i, new ConvBn(init, cfg, in, a, 3, 1, dilations[i], true));
        }
        pooling = registerModule("pooling", new ConvBn(init, cfg, in, a, 1, 1, 1, true));
        project = registerModule("project", new ConvBn(init, cfg, (2 + atrous.length) * a, a, 1, 1, 1, true));
    }

    /** The dilations of the three atrous branches for an output stride OS: (12, 24, 36)·8/OS. */
    public static int[] rates(int outputStride) {
        if (outputStride < 1 || 96 % outputStride != 0) throw new IllegalArgumentException("ASPP needs an output stride dividing 96, got " + outputStride);
        int[] r = new int[RATES_AT_OS8.length];
        for (int i = 0; i < r.length; i++) r[i] = RATES_AT_OS8[i] * 8 / outputStride;
        return r;
    }

    public int[] dilations() { return dilations.clone(); }

    @Override
    public Tensor forward(Tensor x) {
        Tensor[] branches = new Tensor[2 + atrous.length];
        branches[0] = conv1x1.forward(x);
        for (int i = 0; i < atrous.length; i++) branches[1 + i] = atrous[i].forward(x);
        Tensor pooled = pooling.forward(PoolOps.globalAvgPool(x));
        branches[branches.length - 1] = ShapeOps.broadcast(pooled, Shape.of(x.dim(0), pooled.dim(1), x.dim(2), x.dim(3)));
        Tensor y = project.forward(ShapeOps.concat(1, branches));
        return isTraining() ? drops.dropout(y, keep, 0) : y;
    }

    /** {@link #forward} in {@code g} (eval mode: no dropout). */
    String emit(GraphSink g, String x) {
        String[] branches = new String[2 + atrous.length];
        branches[0] = conv1x1.emit(g, x);
        for (int i = 0; i < atrous.length; i++) branches[1 + i] = atrous[i].emit(g, x);
        branches[branches.length - 1] = g.expandLike(pooling.emit(g, g.globalAvgPool(x)), branches[0]);
        return project.emit(g, g.concat(branches));
    }

    /** Shape-only twin of {@link #forward}. */
    int[] trace(int[] chw, Cost cost) {
        conv1x1.trace(chw, cost);
        for (ConvBn b : atrous) b.trace(chw, cost);
        int[] p = pooling.trace(new int[] {chw[0], 1, 1}, cost);
        return project.trace(new int[] {(2 + atrous.length) * p[0], chw[1], chw[2]}, cost);
    }
}
