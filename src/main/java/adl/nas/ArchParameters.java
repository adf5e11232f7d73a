package adl.nas;

import adl.autograd.ElementwiseOps;
import adl.autograd.ShapeOps;
import adl.autograd.SoftmaxOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Init;
import adl.nn.Module;
import adl.nn.Parameter;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * The architecture parameters (paper §4.1): α [E, K] (K = the ops of the cell's {@link SearchSpace},
 * 8 in the paper's), one tensor shared by every cell, and
 * β [L, 4, 3] (β[l][u][d]: the edge out of node (l, u), d = finer / same / coarser). Both start
 * at 1e−3·N(0, 1); β's invalid slots start at 0 and, being masked out of the softmax, get zero
 * gradient and so stay 0 under Adam with L2 weight decay — they take no part in softmax,
 * weight decay or plots. Saved as "arch.alpha" and "arch.beta".
 */
public final class ArchParameters extends Module {
    /** Added to invalid β slots before the softmax: exp(−1e9 − max) is exactly 0. */
    private static final double MASKED = -1e9;

    private final TrellisLayout layout;
    private final SearchSpace space;
    private final Tensor alpha, beta, betaMask;

    public ArchParameters(Init init, CellTopology topology, TrellisLayout layout) {
        this.layout = layout;
        this.space = topology.space();
        int edges = topology.edges(), ops = topology.space().size(), L = layout.layers();
        alpha = registerParameter("alpha", Parameter.create("alpha",
                () -> Tensors.randn(init.device(), init.dtype(), Shape.of(edges, ops), init.nextSeed(), 0, 1e-3)));
        long betaSeed = init.nextSeed();
        double[] b = new double[L * 12];
        double[] mask = new double[L * 12];
        java.util.SplittableRandom r = new java.util.SplittableRandom(betaSeed);
        for (int l = 0; l < L; l++) {
            for (int u = 0; u < TrellisLayout.LEVELS; u++) {
                for (int d = 0; d < TrellisLayout.DIRECTIONS; d++) {
                    int i = (l * TrellisLayout.LEVELS + u) * TrellisLayout.DIRECTIONS + d;
                    double g = r.nextGaussian();
                    b[i] = layout.valid(l, u, d) ? 1e-3 * g : 0;
                    mask[i] = layout.valid(l, u, d) ? 0 : MASKED;
                }
            }
        }
        beta = registerParameter("beta", Parameter.create("beta", () -> Tensors.of(init.device(), init.dtype(), Shape.of(L, 4, 3), b)));
        betaMask = Scope.untracked(() -> Tensors.of(init.device(), init.dtype(), Shape.of(L, 4, 3), mask));
    }

    public Tensor alpha() { return alpha; }

    public Tensor beta() { return beta; }

    public TrellisLayout layout() { return layout; }

    /** softmax(α) per row, [E, K] (paper Eq. 2–4). */
    public Tensor alphaHat() { return SoftmaxOps.softmax(alpha, 1); }

    /**
     * Per edge e, the [K'] weights of the computed ops: softmax(α_e) at columns
     * {@link SearchSpace#firstComputedColumn}..K − 1, i.e. without 'none' (K' = 7 in the paper's space).
     */
    public Tensor[] edgeWeights(Tensor alphaHat) {
        int edges = alphaHat.dim(0), first = space.firstComputedColumn(), computed = space.computed().size();
        Tensor[] w = new Tensor[edges];
        for (int e = 0; e < edges; e++) {
            w[e] = ShapeOps.reshape(ShapeOps.slice(ShapeOps.slice(alphaHat, 0, e, 1), 1, first, computed), computed);
        }
        return w;
    }

    /** The ops of α's columns. */
    public SearchSpace space() { return space; }

    /** β̂: softmax over each node's valid outgoing edges (paper Eq. 7), flattened to [L·12]. */
    public Tensor betaHatFlat() {
        Tensor masked = ElementwiseOps.add(beta, betaMask);
        return ShapeOps.reshape(SoftmaxOps.softmax(masked, 2), layout.layers() * 12);
    }

    /** Host copy of α as [E][K]. */
    public double[][] alphaValues() {
        double[] v = Tensors.toDoubles(alpha);
        int ops = alpha.dim(1);
        double[][] out = new double[alpha.dim(0)][ops];
        for (int e = 0; e < out.length; e++) System.arraycopy(v, e * ops, out[e], 0, ops);
        return out;
    }

    /** Host copy of β as [L][4][3]. */
    public double[][][] betaValues() {
        double[] v = Tensors.toDoubles(beta);
        double[][][] out = new double[layout.layers()][4][3];
        for (int l = 0; l < out.length; l++) for (int u = 0; u < 4; u++) for (int d = 0; d < 3; d++) out[l][u][d] = v[(l * 4 + u) * 3 + d];
        return out;
    }

    @Override public Tensor forward(Tensor x) { throw new UnsupportedOperationException("ArchParameters holds α and β; it has no forward"); }

    @Override
    public void close() {
        super.close();
        if (!betaMask.isClosed()) betaMask.close();
    }

    /** The device the parameters live on. */
    public Device device() { return Device.backendOf(alpha).device(); }
}
