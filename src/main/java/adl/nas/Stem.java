package adl.nas;

import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.nn.ReLU;
import adl.nn.Sequential;
import adl.tensor.Tensor;

/**
 * The search network's stem (docs/02-search-space.md §6): conv3×3 stride 2, 3→64 → BN → ReLU (the rate-2 tensor,
 * "layer −1"), conv3×3 64→64 → BN → ReLU, conv3×3 stride 2, 64→128 → BN → ReLU (the rate-4
 * node, "layer 0"). BN with affine parameters. x: [N, 3, H, W] → [N, 64, ⌈H/2⌉, ⌈W/2⌉] and
 * [N, 128, ⌈H/4⌉', ⌈W/4⌉'] (each halving rounds up).
 */
public final class Stem extends Module {
    public static final int RATE2_CHANNELS = 64, RATE4_CHANNELS = 128;

    private final Sequential stem0, stem1, stem2;

    public Stem(Init init) {
        stem0 = registerModule("stem0", block(init, 3, RATE2_CHANNELS, 2));
        stem1 = registerModule("stem1", block(init, RATE2_CHANNELS, RATE2_CHANNELS, 1));
        stem2 = registerModule("stem2", block(init, RATE2_CHANNELS, RATE4_CHANNELS, 2));
    }

    private static Sequential block(Init init, int in, int out, int stride) {
        return new Sequential(Conv2d.of(in, out, 3).stride(stride).padding(1).bias(false).build(init), new BatchNorm2d(init, out), new ReLU());
    }

    /** {rate-2 tensor, rate-4 tensor}. */
    public Tensor[] forwardBoth(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != 3) throw new IllegalArgumentException("the stem expects images [N, 3, H, W], got " + x.shape());
        Tensor rate2 = stem0.forward(x);
        return new Tensor[] {rate2, stem2.forward(stem1.forward(rate2))};
    }

    @Override public Tensor forward(Tensor x) { return forwardBoth(x)[1]; }
}
