package adl.nas;

import adl.autograd.PoolOps;
import adl.autograd.ShapeOps;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.nn.ReLU;
import adl.nn.Sequential;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * The per-level head of the search network (docs/02-search-space.md §6, an ASPP in miniature): three branches,
 * each conv → BN → ReLU with the input's width W = B·C — a 1×1 conv; a 3×3 conv with dilation
 * 96/rate (24 / 12 / 6 / 3 for levels 0–3); image pooling (spatial mean → 1×1 → BN → ReLU,
 * broadcast back) — concatenated, then a 1×1 conv with bias to the class logits.
 * x: [N, W, h, w] → [N, classes, h, w].
 */
public final class SearchHead extends Module {
    private final Sequential conv1x1, atrous, pooling;
    private final Conv2d classifier;
    private final int width;

    public SearchHead(Init init, int width, int level, int classes) {
        this.width = width;
        int rate = 4 << level, dilation = 96 / rate;
        conv1x1 = registerModule("conv1x1", branch(init, width, 1, 0, 1));
        atrous = registerModule("atrous", branch(init, width, 3, dilation, dilation));
        pooling = registerModule("pooling", branch(init, width, 1, 0, 1));
        classifier = registerModule("classifier", Conv2d.pointwise(3 * width, classes).build(init));
    }

    private static Sequential branch(Init init, int width, int kernel, int padding, int dilation) {
        return new Sequential(Conv2d.of(width, width, kernel).padding(padding).dilation(dilation).bias(false).build(init), new BatchNorm2d(init, width), new ReLU());
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim(1) != width) throw new IllegalArgumentException("head expects " + width + " channels, got " + x.shape());
        Tensor pooled = pooling.forward(PoolOps.globalAvgPool(x));
        Tensor image = ShapeOps.broadcast(pooled, Shape.of(x.dim(0), width, x.dim(2), x.dim(3)));
        return classifier.forward(ShapeOps.concat(1, conv1x1.forward(x), atrous.forward(x), image));
    }
}
