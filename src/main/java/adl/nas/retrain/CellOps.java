package adl.nas.retrain;

import adl.autograd.ElementwiseOps;
import adl.autograd.PoolOps;
import adl.autograd.ResizeOps;
import adl.backend.PoolParams;
import adl.nas.Primitive;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

/**
 * The operations of a retrained cell (docs/06-retrain.md §1–2, following the released hnasnet,
 * tensorflow/models research/deeplab/core/nas_cell.py). Each maps x [N, C, h, w] to
 * [N, C, h', w'] with h' = h at stride 1 and h' = ⌈h/2⌉ at stride 2 (taken only by ops that read
 * a cell input when the path goes up a level).
 */
final class CellOps {
    private CellOps() {}

    /** One op of a cell; {@link #droppable()} ops get drop-path (all but skip_connect, as nas_cell.py). */
    abstract static class Op extends Module {
        abstract int[] trace(int[] chw, Cost cost);

        /** {@link #forward} in {@code g} (eval mode). */
        abstract String emit(GraphSink g, String x);

        boolean droppable() { return true; }
    }

    /**
     * The retrain form of {@code p} (its family and kernel k, {@link Primitive.Family}) on C channels;
     * {@code stride} 2 only for an op that reads a cell input when the path goes up a level.
     */
    static Op create(Init init, FixedNetwork.Config cfg, Primitive p, int channels, int stride) {
        int k = p.kernel();
        return switch (p.family()) {
            case SEP_CONV -> new Separable(init, cfg, channels, k, stride);
            case DIL_CONV -> new Atrous(init, cfg, channels, k, stride);
            case MAX_POOL -> new Pool(init, cfg, channels, k, stride, true);
            case AVG_POOL -> new Pool(init, cfg, channels, k, stride, false);
            case IDENTITY -> new Skip(init, cfg, channels, stride);
            case ZERO -> throw new IllegalArgumentException("'" + p + "' is the zero op and is never part of a decoded cell");
        };
    }

    static int ceilHalf(int n) { return (n + 1) / 2; }

    /**
     * sep_conv_kxk: twice (ReLU → depthwise k×k → pointwise 1×1 → BN); the first depthwise conv
     * takes the stride (padding k/2, so ⌈h/2⌉). Names dw1, pw1, bn1, dw2, pw2, bn2.
     */
    static final class Separable extends Op {
        private final Conv2d dw1, pw1, dw2, pw2;
        private final BatchNorm2d bn1, bn2;

        Separable(Init init, FixedNetwork.Config cfg, int c, int k, int stride) {
            dw1 = registerModule("dw1", Conv2d.depthwise(c, k).stride(stride).padding(k / 2).bias(false).build(init));
            pw1 = registerModule("pw1", Conv2d.pointwise(c, c).bias(false).build(init));
            bn1 = registerModule("bn1", cfg.batchNorm(init, c));
            dw2 = registerModule("dw2", Conv2d.depthwise(c, k).padding(k / 2).bias(false).build(init));
            pw2 = registerModule("pw2", Conv2d.pointwise(c, c).bias(false).build(init));
            bn2 = registerModule("bn2", cfg.batchNorm(init, c));
        }

        @Override public Tensor forward(Tensor x) {
            Tensor y = bn1.forward(pw1.forward(dw1.forward(ElementwiseOps.relu(x))));
            return bn2.forward(pw2.forward(dw2.forward(ElementwiseOps.relu(y))));
        }

        @Override String emit(GraphSink g, String x) {
            String y = g.batchNorm(g.conv(g.conv(g.relu(x), dw1), pw1), bn1);
            return g.batchNorm(g.conv(g.conv(g.relu(y), dw2), pw2), bn2);
        }

        @Override int[] trace(int[] chw, Cost cost) {
            int[] s = cost.conv(dw1, chw[1], chw[2]);
            s = cost.conv(pw1, s[1], s[2]);
            cost.bn(bn1);
            s = cost.conv(dw2, s[1], s[2]);
            s = cost.conv(pw2, s[1], s[2]);
            cost.bn(bn2);
            return s;
        }
    }

    /**
     * dil_conv_kxk: ReLU → ORDINARY k×k conv C→C with dilation 2 (padding k − 1) → BN. At stride 2
     * the input is first resized bilinearly to ⌈h/2⌉ × ⌈w/2⌉ and the conv uses dilation 1
     * (nas_cell.py). Names conv, bn.
     */
    static final class Atrous extends Op {
        private final Conv2d conv;
        private final BatchNorm2d bn;
        private final int stride;

        Atrous(Init init, FixedNetwork.Config cfg, int c, int k, int stride) {
            this.stride = stride;
            int dilation = stride == 1 ? 2 : 1;
            conv = registerModule("conv", Conv2d.of(c, c, k).padding(dilation * (k / 2)).dilation(dilation).bias(false).build(init));
            bn = registerModule("bn", cfg.batchNorm(init, c));
        }

        @Override public Tensor forward(Tensor x) {
            Tensor y = ElementwiseOps.relu(x);
            if (stride == 2) y = ResizeOps.bilinear(y, ceilHalf(y.dim(2)), ceilHalf(y.dim(3)), false);
            return bn.forward(conv.forward(y));
        }

        @Override String emit(GraphSink g, String x) {
            String y = g.relu(x);
            if (stride == 2) y = g.resizeHalf(y);
            return g.batchNorm(g.conv(y, conv), bn);
        }

        @Override int[] trace(int[] chw, Cost cost) {
            int h = stride == 2 ? ceilHalf(chw[1]) : chw[1], w = stride == 2 ? ceilHalf(chw[2]) : chw[2];
            int[] s = cost.conv(conv, h, w);
            cost.bn(bn);
            return s;
        }
    }

    /**
     * max_pool_kxk / avg_pool_kxk (count_include_pad false): k×k window, padding k/2, the op's
     * stride (⌈h/2⌉ at stride 2), then BN as in the search cell. Name bn.
     */
    static final class Pool extends Op {
        private final PoolParams params;
        private final boolean max;
        private final BatchNorm2d bn;

        Pool(Init init, FixedNetwork.Config cfg, int c, int k, int stride, boolean max) {
            this(new PoolParams(k, stride, k / 2, false), max, cfg.batchNorm(init, c));
        }

        private Pool(PoolParams params, boolean max, BatchNorm2d bn) {
            this.params = params;
            this.max = max;
            this.bn = registerModule("bn", bn);
        }

        @Override public Tensor forward(Tensor x) {
            return bn.forward(max ? PoolOps.maxPool2d(x, params) : PoolOps.avgPool2d(x, params));
        }

        @Override String emit(GraphSink g, String x) { return g.batchNorm(g.pool(x, params, max), bn); }

        @Override int[] trace(int[] chw, Cost cost) {
            cost.bn(bn);
            return new int[] {chw[0], params.outSize(chw[1]), params.outSize(chw[2])};
        }
    }

    /**
     * skip_connect: the identity at stride 1; at stride 2 ReLU → 1×1 conv stride 2 → BN (what
     * nas_cell.py does for its identity op when it must reduce). Names conv, bn (stride 2 only).
     */
    static final class Skip extends Op {
        private final Conv2d conv;
        private final BatchNorm2d bn;

        Skip(Init init, FixedNetwork.Config cfg, int c, int stride) {
            conv = stride == 1 ? null : registerModule("conv", Conv2d.pointwise(c, c).stride(stride).bias(false).build(init));
            bn = stride == 1 ? null : registerModule("bn", cfg.batchNorm(init, c));
        }

        @Override public Tensor forward(Tensor x) {
            return conv == null ? x : bn.forward(conv.forward(ElementwiseOps.relu(x)));
        }

        @Override String emit(GraphSink g, String x) {
            return conv == null ? x : g.batchNorm(g.conv(g.relu(x), conv), bn);
        }

        @Override int[] trace(int[] chw, Cost cost) {
            if (conv == null) return chw.clone();
            int[] s = cost.conv(conv, chw[1], chw[2]);
            cost.bn(bn);
            return s;
        }

        @Override boolean droppable() { return false; }
    }
}
