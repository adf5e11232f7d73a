package adl.nas.retrain;

import adl.autograd.ElementwiseOps;
import adl.autograd.ResizeOps;
import adl.nas.Architecture;
import adl.nas.SuperNet;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The retrained Auto-DeepLab network (paper §5.2, docs/06-retrain.md; the released hnasnet):
 * stem → one {@link FixedCell} per layer along the architecture's path → ASPP on ReLU(last cell)
 * → DeepLabv3+ decoder with the low-level feature of the last level-0 cell before the path first
 * leaves level 0 → 1×1 logits (with bias) → bilinear resize to the input size.
 * x: [N, 3, H, W] → logits [N, classes, H, W]. Level v has the size of ⌈·/2⌉ applied v + 2
 * times and cells of C = F·2^v filters per block.
 *
 * <p>State names: {@code stem.*}, {@code cells.<i>.*}, {@code aspp.*}, {@code decoder.*},
 * {@code logits.weight}, {@code logits.bias}.
 */
public final class FixedNetwork extends Module {
    /** Widths of the parts that are not cells; {@link #PAPER} = docs/06-retrain.md §1, §3 (smaller ones for tests and fixtures). */
    public record Widths(int stem, int stemOut, int aspp, int lowLevel, int decoder) {
        public static final Widths PAPER = new Widths(64, 128, 256, 48, 256);

        public Widths {
            if (stem < 1 || stemOut < 1 || aspp < 1 || lowLevel < 1 || decoder < 1) throw new IllegalArgumentException("widths must be >= 1: " + this);
        }
    }

    /**
     * @param filterMultiplier F (20 / 32 / 48 for auto-deeplab-s / -m / -l); overrides the architecture's
     * @param bnEps            1e-3 as the released model
     * @param bnMomentum       PyTorch's BN momentum (the released model used decay 0.9997, i.e. 3e-4)
     * @param dropoutKeep      keep probability of the dropout after the ASPP projection (0.9)
     * @param dropPathKeep     drop-path keep probability at the last cell at the end of training; 1 = off
     */
    public record Config(Architecture architecture, int filterMultiplier, int classes, double bnEps, double bnMomentum,
                         double dropoutKeep, double dropPathKeep, Widths widths) {
        public Config {
            if (filterMultiplier < 1 || classes < 1) throw new IllegalArgumentException("filter multiplier and classes must be >= 1, got F " + filterMultiplier + ", classes " + classes);
            if (!(bnEps > 0) || !(bnMomentum >= 0 && bnMomentum <= 1)) throw new IllegalArgumentException("bad BN eps " + bnEps + " / momentum " + bnMomentum);
            if (!(dropoutKeep > 0 && dropoutKeep <= 1) || !(dropPathKeep > 0 && dropPathKeep <= 1)) {
                throw new IllegalArgumentException("keep probabilities must be in (0, 1], got dropout " + dropoutKeep + ", drop-path " + dropPathKeep);
            }
        }

        /** The released model's settings: BN eps 1e-3, momentum 0.1, dropout keep 0.9, drop-path off, paper widths. */
        public Config(Architecture architecture, int filterMultiplier, int classes) {
            this(architecture, filterMultiplier, classes, 1e-3, 0.1, 0.9, 1.0, Widths.PAPER);
        }

        public Config withDropPathKeep(double keep) { return new Config(architecture, filterMultiplier, classes, bnEps, bnMomentum, dropoutKeep, keep, widths); }

        public Config withWidths(Widths w) { return new Config(architecture, filterMultiplier, classes, bnEps, bnMomentum, dropoutKeep, dropPathKeep, w); }

        BatchNorm2d batchNorm(Init init, int channels) { return BatchNorm2d.of(channels).eps(bnEps).momentum(bnMomentum).build(init); }
    }

    private final Config config;
    private final int[] path;
    private final int lowLevelCell;
    private final DropSchedule drops = new DropSchedule();
    private final FixedStem stem;
    private final ModuleList<FixedCell> cells;
    private final Aspp aspp;
    private final Decoder decoder;
    private final Conv2d logits;

    public FixedNetwork(Init init, Config config) {
        this.config = config;
        this.path = config.architecture().path();
        this.lowLevelCell = lowLevelCell(path);
        stem = registerModule("stem", new FixedStem(init, config));
        cells = registerModule("cells", new ModuleList<>());
        int level = 0, prev = config.widths().stemOut(), prev2 = config.widths().stem();
        for (int i = 0; i < path.length; i++) {
            int c = config.filterMultiplier() << path[i];
            FixedCell cell = cells.add(new FixedCell(init, config, drops, i, c, prev, prev2, path[i] == level + 1 ? 2 : 1));
            prev2 = prev;
            prev = cell.outChannels();
            level = path[i];
        }
        aspp = registerModule("aspp", new Aspp(init, config, drops, prev, outputStride()));
        int low = lowLevelCell < 0 ? config.widths().stemOut() : cells.get(lowLevelCell).outChannels();
        decoder = registerModule("decoder", new Decoder(init, config, low));
        logits = registerModule("logits", Conv2d.pointwise(config.widths().decoder(), config.classes()).build(init));
    }

    /**
     * The cell whose output feeds the decoder: the last level-0 cell before the path first leaves
     * level 0 (cell 2 for the paper's path); −1 (the stem output) when the path starts at level 1.
     */
    public static int lowLevelCell(int[] path) {
        int i = 0;
        while (i < path.length && path[i] == 0) i++;
        return i - 1;
    }

    public Config config() { return config; }

    /** Rate of the last cell, 4·2^v: the ASPP's output stride. */
    public int outputStride() { return 4 << path[path.length - 1]; }

    public int lowLevelCell() { return lowLevelCell; }

    public Aspp aspp() { return aspp; }

    /**
     * Sets what dropout and drop-path draw from: masks are a function of (seed, iteration, site),
     * so a resumed run repeats them; progress ∈ [0, 1] (iteration / total) schedules drop-path.
     * Call once per training iteration before the forward. No effect in eval mode.
     */
    public void setStep(long seed, long iteration, double progress) { drops.set(seed, iteration, progress); }

    /**
     * For a data-parallel rank holding samples [offset, offset + N) of each global batch of
     * {@code globalBatch}: dropout and drop-path masks are drawn for the global batch, so every
     * sample gets the mask one process would give it.
     */
    public void setShard(int offset, int globalBatch) { drops.shard(offset, globalBatch); }

    @Override
    public Tensor forward(Tensor x) { return endpoints(x).get("logits"); }

    /**
     * Every endpoint in forward order: "stem_rate2", "stem", "cell0" .. "cell{L−1}", "aspp",
     * "decoder", "logits" (the last at the input size).
     */
    public Map<String, Tensor> endpoints(Tensor x) {
        int[][] sizes = SuperNet.levelSizes(x.dim(2), x.dim(3));
        Map<String, Tensor> out = new LinkedHashMap<>();
        Tensor[] s = stem.forwardBoth(x);
        out.put("stem_rate2", s[0]);
        out.put("stem", s[1]);
        Tensor prev2 = s[0], prev = s[1], low = lowLevelCell < 0 ? s[1] : null;
        int level = 0;
        for (int i = 0; i < path.length; i++) {
            int v = path[i];
            Tensor h1 = v == level - 1 ? ResizeOps.bilinear(prev, sizes[v][0], sizes[v][1], false) : prev;
            Tensor y = cells.get(i).forward(h1, prev2);
            if (y.dim(2) != sizes[v][0] || y.dim(3) != sizes[v][1]) {
                throw new IllegalStateException("cell " + i + " at level " + v + " gave " + y.shape() + ", the level is " + sizes[v][0] + "x" + sizes[v][1]);
            }
            out.put("cell" + i, y);
            if (i == lowLevelCell) low = y;
            prev2 = prev;
            prev = y;
            level = v;
        }
        Tensor a = aspp.forward(ElementwiseOps.relu(prev));
        out.put("aspp", a);
        Tensor d = decoder.forward(low, a);
        out.put("decoder", d);
        out.put("logits", ResizeOps.bilinear(logits.forward(d), x.dim(2), x.dim(3), false));
        return out;
    }

    /**
     * {@link #forward} written into {@code g} (eval mode): image [N, 3, H, W] → the name of the
     * logits value [N, classes, H, W]. Going down a level resizes to an earlier value of that level
     * (every value of level v has the size of level v, and the path reaches v + 1 only through v).
     */
    public String emit(GraphSink g, String image) {
        String[] s = stem.emitBoth(g, image);
        Map<Integer, String> atLevel = new java.util.HashMap<>();
        atLevel.put(0, s[1]);
        String prev2 = s[0], prev = s[1], low = lowLevelCell < 0 ? s[1] : null;
        int level = 0, prev2Level = -1;
        for (int i = 0; i < path.length; i++) {
            int v = path[i];
            String h1 = v == level - 1 ? g.resizeLike(prev, atLevel.get(v)) : prev;
            int h1Level = v == level - 1 ? v : level;
            String y = cells.get(i).emit(g, h1, prev2, prev2Level != h1Level);
            atLevel.put(v, y);
            if (i == lowLevelCell) low = y;
            prev2 = prev;
            prev2Level = level;
            prev = y;
            level = v;
        }
        String a = aspp.emit(g, g.relu(prev));
        String d = decoder.emit(g, low, a, level != 0);
        return g.resizeLike(g.conv(d, logits), image);
    }

    /** Shape-only walk for one image of height × width: per-endpoint shapes, parameters, multiply-adds. No tensor is made. */
    public NetworkSummary summary(int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("image size must be >= 1, got " + height + "x" + width);
        int[][] sizes = SuperNet.levelSizes(height, width);
        List<NetworkSummary.Stage> stages = new ArrayList<>();
        Cost cost = new Cost();
        long[] mark = cost.mark();
        int[] rate2 = stem.traceRate2(new int[] {3, height, width}, cost);
        mark = stage(stages, cost, mark, "stem_rate2", "stem, rate 2", rate2);
        int[] prev = stem.traceRate4(rate2, cost), prev2 = rate2, low = lowLevelCell < 0 ? prev : null;
        mark = stage(stages, cost, mark, "stem", "stem, rate 4", prev);
        int level = 0;
        for (int i = 0; i < path.length; i++) {
            int v = path[i];
            int[] h1 = v == level - 1 ? new int[] {prev[0], sizes[v][0], sizes[v][1]} : prev;
            int[] y = cells.get(i).trace(h1, prev2, cost);
            mark = stage(stages, cost, mark, "cell" + i, "cell " + i + ", level " + v + " (rate " + (4 << v) + ")", y);
            if (i == lowLevelCell) low = y;
            prev2 = prev;
            prev = y;
            level = v;
        }
        int[] a = aspp.trace(prev, cost);
        int[] r = aspp.dilations();
        mark = stage(stages, cost, mark, "aspp", "ASPP, rates " + r[0] + "/" + r[1] + "/" + r[2], a);
        int[] d = decoder.trace(low, a, cost);
        mark = stage(stages, cost, mark, "decoder", "decoder, rate 4", d);
        int[] l = cost.conv(logits, d[1], d[2]);
        stage(stages, cost, mark, "logits", "logits, input size", new int[] {l[0], height, width});
        return new NetworkSummary(height, width, stages);
    }

    private static long[] stage(List<NetworkSummary.Stage> stages, Cost cost, long[] mark, String key, String what, int[] chw) {
        long[] d = cost.since(mark);
        stages.add(new NetworkSummary.Stage(key, what, chw, d[0], d[1]));
        return cost.mark();
    }
}
