package adl.nn;

import adl.autograd.ConvOps;
import adl.backend.ConvParams;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * torch.nn.Conv2d with a square kernel: x [N, in, H, W] -> y [N, out, Ho, Wo],
 * weight [out, in/groups, k, k], bias [out] (optional). Default init as PyTorch: weight and bias
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with fanIn = in/groups · k · k, seeded from {@link Init}.
 */
public final class Conv2d extends Module {
    private final int in, out, kernel;
    private final ConvParams params;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * PyTorch's positional form (in, out, kernel, stride, padding, dilation, groups, bias); code
     * reads better built by name: {@link #of}, {@link #depthwise}, {@link #pointwise}.
     */
    public Conv2d(Init init, int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
        if (in < 1 || out < 1 || kernel < 1) throw new IllegalArgumentException("Conv2d(" + in + ", " + out + ", kernel " + kernel + "): sizes must be >= 1");
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d(" + in + ", " + out + "): channels must be divisible by groups " + groups);
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.params = ConvParams.of(stride, padding, dilation, groups);
        double bound = Init.kaimingUniformBound((long) (in / groups) * kernel * kernel);
        this.weight = registerParameter("weight", Parameter.create("weight", () -> init.uniform(Shape.of(out, in / groups, kernel, kernel), bound)));
        this.bias = bias ? registerParameter("bias", Parameter.create("bias", () -> init.uniform(Shape.of(out), bound))) : null;
    }

    /** Stride 1, no padding, dilation 1, one group, with bias (PyTorch's defaults). */
    public Conv2d(Init init, int in, int out, int kernel) { this(init, in, out, kernel, 1, 0, 1, 1, true); }

    /** A k×k convolution from in to out channels, from PyTorch's defaults: stride 1, padding 0, dilation 1, one group, with bias. */
    public static Spec of(int in, int out, int kernel) { return new Spec(in, out, kernel, 1, 0, 1, 1, true); }

    /** A depthwise k×k convolution: one filter per channel (groups = channels), weight [C, 1, k, k]. */
    public static Spec depthwise(int channels, int kernel) { return of(channels, channels, kernel).groups(channels); }

    /** A pointwise (1×1) convolution from in to out channels. */
    public static Spec pointwise(int in, int out) { return of(in, out, 1); }

    /**
     * A Conv2d's arguments by name (PyTorch's keywords), e.g.
     * {@code Conv2d.depthwise(c, 5).padding(4).dilation(2).bias(false).build(init)}. Immutable: each
     * setter returns a new spec.
     */
    public static final class Spec {
        private final int in, out, kernel, stride, padding, dilation, groups;
        private final boolean bias;

        private Spec(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
            this.dilation = dilation;
            this.groups = groups;
            this.bias = bias;
        }

        public Spec stride(int s) { return new Spec(in, out, kernel, s, padding, dilation, groups, bias); }
        public Spec padding(int p) { return new Spec(in, out, kernel, stride, p, dilation, groups, bias); }
        public Spec dilation(int d) { return new Spec(in, out, kernel, stride, padding, d, groups, bias); }
        public Spec groups(int g) { return new Spec(in, out, kernel, stride, padding, dilation, g, bias); }
        /** With or without the bias parameter (PyTorch's bias=): without, the module has only "weight". */
        public Spec bias(boolean b) { return new Spec(in, out, kernel, stride, padding, dilation, groups, b); }

        /** The module, its weight (then bias) drawn from {@code init}. */
        public Conv2d build(Init init) { return new Conv2d(init, in, out, kernel, stride, padding, dilation, groups, bias); }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != in) {
            throw new IllegalArgumentException("Conv2d(" + in + ", " + out + ", kernel " + kernel + ") expects x [N, " + in + ", H, W], got " + x.shape());
        }
        return ConvOps.conv2d(x, weight, bias, params);
    }

    public Tensor weight() { return weight; }
    /** Null when built without bias. */
    public Tensor bias() { return bias; }
    public ConvParams convParams() { return params; }
    public int inChannels() { return in; }
    public int outChannels() { return out; }
    public int kernelSize() { return kernel; }
}
