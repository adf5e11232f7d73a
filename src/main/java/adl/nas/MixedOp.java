package adl.nas;

import adl.autograd.WeightedSumOps;
import adl.nn.AvgPool2d;
import adl.nn.BatchNorm2d;
import adl.nn.DilConv;
import adl.nn.Init;
import adl.nn.MaxPool2d;
import adl.nn.Module;
import adl.nn.SepConv;
import adl.nn.Sequential;
import adl.tensor.Tensor;

/**
 * One edge of a search cell (paper Eq. 2): ō(x) = Σ_k softmax(α_e)_k · o_k(x) over the 8
 * primitives. 'none' contributes zero and is never computed: the sum runs over the 7 others,
 * with their weights taken from the softmax over all 8 (so 'none' still takes its share).
 * x: [N, C, H, W] → [N, C, H, W].
 */
public final class MixedOp extends Module {
    /** The computed primitives, in α column order 1..7; index 2 (skip_connect) is the identity. */
    private final Module[] ops = new Module[7];

    public MixedOp(Init init, int channels) {
        ops[0] = registerModule("max_pool_3x3", new Sequential(new MaxPool2d(3, 1, 1), new BatchNorm2d(init, channels, 1e-5, 0.1, false)));
        ops[1] = registerModule("avg_pool_3x3", new Sequential(new AvgPool2d(3, 1, 1, false), new BatchNorm2d(init, channels, 1e-5, 0.1, false)));
        ops[2] = null;
        ops[3] = registerModule("sep_conv_3x3", new SepConv(init, channels, 3, false));
        ops[4] = registerModule("sep_conv_5x5", new SepConv(init, channels, 5, false));
        ops[5] = registerModule("dil_conv_3x3", new DilConv(init, channels, 3, false));
        ops[6] = registerModule("dil_conv_5x5", new DilConv(init, channels, 5, false));
    }

    /**
     * @param x the edge's input state
     * @param w [7]: softmax(α_e) without the 'none' column
     */
    public Tensor forward(Tensor x, Tensor w) {
        Tensor[] outs = new Tensor[7];
        for (int k = 0; k < 7; k++) outs[k] = ops[k] == null ? x : ops[k].forward(x);
        return WeightedSumOps.weightedSum(outs, w);
    }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("MixedOp needs its op weights: forward(x, w)");
    }
}
