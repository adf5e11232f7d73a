package adl.nas;

import adl.autograd.ElementwiseOps;
import adl.autograd.LossOps;
import adl.autograd.ResizeOps;
import adl.memory.Scope;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Auto-DeepLab search network (paper §3–4, docs/02-search-space.md §7): stem → trellis of L layers × 4
 * levels, one SearchCell per node → one head per level at layer L; the heads' logits are
 * bilinearly resized to the input size and summed. x: [N, 3, H, W] → [N, classes, H, W].
 */
public final class SuperNet extends Module {
    /** Network shape: L layers, B blocks per cell, filter multiplier F, number of classes. */
    public record Config(int layers, int blocks, int filterMultiplier, int classes) {
        public Config {
            if (layers < 1 || blocks < 1 || filterMultiplier < 1 || classes < 2) {
                throw new IllegalArgumentException("invalid supernet " + this + ": layers, blocks, filter multiplier >= 1, classes >= 2");
            }
        }
    }

    private final Config config;
    private final CellTopology topology;
    private final Stem stem;
    private final Trellis trellis;
    private final List<SearchHead> heads = new ArrayList<>();
    private final ArchParameters arch;

    /** The paper's supernet: its cells choose among {@link SearchSpace#PAPER}. */
    public SuperNet(Init init, Config config) { this(init, config, SearchSpace.PAPER); }

    /** A supernet whose every edge chooses among the ops of {@code space} (α: [E, space.size()]). */
    public SuperNet(Init init, Config config, SearchSpace space) {
        this.config = config;
        this.topology = new CellTopology(config.blocks(), space);
        TrellisLayout layout = new TrellisLayout(config.layers());
        stem = registerModule("stem", new Stem(init));
        trellis = registerModule("trellis", new Trellis(init, layout, topology, config.filterMultiplier()));
        for (int v = 0; v < TrellisLayout.LEVELS; v++) {
            if (!layout.exists(config.layers(), v)) continue;
            int width = config.blocks() * (config.filterMultiplier() << v);
            heads.add(registerModule("head" + v, new SearchHead(init, width, v, config.classes())));
        }
        arch = registerModule("arch", new ArchParameters(init, topology, layout));
    }

    public Config config() { return config; }

    /** Switches every MixedOp to recomputing its branches in backward instead of storing them ({@link MixedOp#setRecompute}). */
    public void setRecompute(boolean on) { setRecompute(this, on); }

    private static void setRecompute(Module m, boolean on) {
        if (m instanceof MixedOp op) op.setRecompute(on);
        for (Module c : m.children().values()) setRecompute(c, on);
    }

    public Trellis trellis() { return trellis; }

    public ArchParameters arch() { return arch; }

    public CellTopology topology() { return topology; }

    /** Spatial size of each level for an input of h × w: ⌈·/2⌉ twice for rate 4, then once per level. */
    public static int[][] levelSizes(int h, int w) {
        int[][] s = new int[TrellisLayout.LEVELS][2];
        int y = ceilHalf(ceilHalf(h)), x = ceilHalf(ceilHalf(w));
        for (int v = 0; v < s.length; v++) {
            s[v][0] = y;
            s[v][1] = x;
            y = ceilHalf(y);
            x = ceilHalf(x);
        }
        return s;
    }

    private static int ceilHalf(int n) { return (n + 1) / 2; }

    /** Every node's output, keyed by {@link Trellis#key} (for shape tests and inspection). */
    public Map<Long, Tensor> nodeOutputs(Tensor x) {
        Tensor[] s = stem.forwardBoth(x);
        Tensor alphaHat = arch.alphaHat();
        return trellis.forward(s[0], s[1], levelSizes(x.dim(2), x.dim(3)), arch.edgeWeights(alphaHat), arch.betaHatFlat());
    }

    /** Class logits at input resolution: Σ_v resize(head_v(H^L_v)). */
    @Override
    public Tensor forward(Tensor x) {
        // every intermediate (stem, node outputs, heads) closes with the scope; backward keeps what it saved
        try (Scope net = Scope.open()) {
            Map<Long, Tensor> h = nodeOutputs(x);
            Tensor sum = null;
            int v = 0;
            for (SearchHead head : heads) {
                Tensor logits = ResizeOps.bilinear(head.forward(h.get(Trellis.key(config.layers(), v))), x.dim(2), x.dim(3), false);
                sum = sum == null ? logits : ElementwiseOps.add(sum, logits);
                v++;
            }
            return net.keep(sum);
        }
    }

    /** Mean pixel cross-entropy (ignore label 255) of the prediction for x against labels [N, H, W] (I32). */
    public Tensor loss(Tensor x, Tensor labels) {
        return LossOps.crossEntropy(forward(x), labels, LossOps.IGNORE_LABEL);
    }

    /**
     * Every trainable tensor except α and β, in state-dict order (immutable). Listed once: the
     * network's parameters are fixed at construction, and both steps of every iteration ask for
     * them (a walk of the module tree that built ~10⁴ dotted names each time).
     */
    public List<Tensor> weightParameters() {
        if (weights == null) {
            List<Tensor> out = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : namedParameters().entrySet()) if (!e.getKey().startsWith("arch.")) out.add(e.getValue());
            weights = List.copyOf(out);
        }
        return weights;
    }

    private List<Tensor> weights;

    /** α and β. */
    public List<Tensor> archParameters() { return List.of(arch.alpha(), arch.beta()); }

    /** The current architecture (paper §4.3): cell by top-2 edges, path by Viterbi over β̂. */
    public Architecture decode() {
        TrellisLayout layout = trellis.layout();
        int[] path = PathDecoder.decode(layout.normalize(arch.betaValues()), layout);
        return new Architecture(CellDecoder.decode(arch.alphaValues(), topology), path, config.filterMultiplier());
    }
}
