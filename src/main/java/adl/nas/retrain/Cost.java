package adl.nas.retrain;

import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;

/**
 * A shape-only walk's running totals (no tensor is allocated): trainable scalars and
 * multiply-adds. Counting rule (docs/06-retrain.md §4, "counted plainly"): a k×k convolution costs
 * k·k·(Cin/groups)·Cout·Hout·Wout multiply-adds, padding taps included; BN, ReLU, pooling,
 * resizing and additions cost nothing. Parameters come from each layer's geometry (a conv's
 * k·k·(Cin/groups)·Cout weights plus Cout biases, a BN's 2·C scale and offset), not from its
 * tensors, so a test can hold the counts against the module's real parameters.
 */
final class Cost {
    private long params, macs;

    long params() { return params; }

    long macs() { return macs; }

    /**
     * Adds conv {@code c} applied to an input of {@code h × w}; returns [Cout, Hout, Wout].
     * Geometry as torch.nn.Conv2d: Hout = (h + 2p − d(k − 1) − 1)/s + 1.
     */
    int[] conv(Conv2d c, int h, int w) {
        int k = c.kernelSize(), g = c.convParams().groups();
        int ho = c.convParams().outH(h, k), wo = c.convParams().outW(w, k);
        long perPixel = (long) k * k * (c.inChannels() / g) * c.outChannels();
        params += perPixel + (c.bias() != null ? c.outChannels() : 0);
        macs += perPixel * ho * wo;
        return new int[] {c.outChannels(), ho, wo};
    }

    /** Adds a BN's scale and offset (2·C when affine). */
    void bn(BatchNorm2d bn) {
        if (bn.weight() != null) params += 2L * bn.numFeatures();
    }

    /** Totals since {@code start} (a copy taken with {@link #mark()}). */
    long[] since(long[] start) { return new long[] {params - start[0], macs - start[1]}; }

    long[] mark() { return new long[] {params, macs}; }
}
