package adl.nas;

import adl.autograd.Recompute;
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

import java.util.List;

/**
 * One edge of a search cell (paper Eq. 2): ō(x) = Σ_k softmax(α_e)_k · o_k(x) over the 8
 * primitives. 'none' contributes zero and is never computed: the sum runs over the 7 others,
 * with their weights taken from the softmax over all 8 (so 'none' still takes its share).
 * x: [N, C, H, W] → [N, C, H, W].
 */
public final class MixedOp extends Module {
    /** The computed primitives, in α column order 1..7; index 2 (skip_connect) is the identity. */
    private final Module[] ops = new Module[7];
    private boolean recompute;
    private List<Tensor> params;

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
        if (recompute) {
            if (params == null) params = List.copyOf(parameters());
            return Recompute.apply("mixed_op", in -> branches(in[0], in[1]), params, x, w);
        }
        return branches(x, w);
    }

    /**
     * Recompute mode (memory for time): the branch outputs and their intermediates are not kept
     * for backward but computed again there ({@link Recompute}); one forward of the op more per
     * backward. Same loss; gradients equal up to the order in which x's contributions are summed.
     */
    public void setRecompute(boolean on) { recompute = on; }

    public boolean recompute() { return recompute; }

    private Tensor branches(Tensor x, Tensor w) {
        Tensor[] outs = new Tensor[7];
        for (int k = 0; k < 7; k++) outs[k] = ops[k] == null ? x : ops[k].forward(x);
        Tensor y = WeightedSumOps.weightedSum(outs, w);
        // the branch outputs live on only where the weighted sum's backward saved them (for dL/dw)
        for (Tensor o : outs) if (o != x && o != y) o.close();
        return y;
    }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("MixedOp needs its op weights: forward(x, w)");
    }
}
