package adl.train;

import adl.autograd.LossOps;
import adl.backend.Backend;
import adl.backend.Device;
import adl.data.Batch;
import adl.nas.Bilevel;
import adl.nas.SuperNet;
import adl.nn.BatchNorm2d;
import adl.nn.Module;
import adl.optim.Adam;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The search iteration as CUDA graphs ({@code --cuda-graphs}, docs/05d-cuda-graphs.md; off by default until
 * verified on a GPU). Two graphs, each a {@link CapturedStep} with {@link #WARMUP} eager iterations
 * first: the weight step alone (before the architecture start epoch), then weight step + architecture
 * step (from it on; the first graph is destroyed then). Per iteration the host builds both batches,
 * checks their labels (cross-entropy cannot check them inside a graph), and before each replay
 * writes what the replay reads and the Java code would have computed: the SGD learning rate of the
 * cosine schedule and each α/β Adam step into the device step scalars, and advances the host-side
 * counters that the skipped Java code would have advanced (Adam step counts, batch-norm
 * num_batches_tracked), so checkpoints hold what an eager run holds.
 *
 * <p>Differences from the eager iteration: both batches are uploaded before the step, and a
 * non-finite loss is seen after the step has updated the parameters (the search then stops without
 * saving, as it does eagerly).
 */
public final class SearchGraphs implements AutoCloseable {
    /** Eager iterations of each graph before its capture. */
    public static final int WARMUP = 2;

    private final Backend cuda;
    private final Bilevel bilevel;
    private final int classes;
    private final List<BatchNorm2d> norms = new ArrayList<>();
    private CapturedStep weightOnly, weightAndArch;
    private double lr;

    /** Deltas of the host counters over one body run, measured at every eager run and at the capture. */
    private long[] normDeltas;
    private long[] adamDeltas;

    /** @throws IllegalArgumentException when {@code device} is not a CUDA device */
    public SearchGraphs(Device device, SuperNet net, Bilevel bilevel) {
        Backend be = device.backend();
        if (!be.capturesGraphs()) {
            throw new IllegalArgumentException("CUDA graphs need a CUDA device, not " + device);
        }
        this.cuda = be;
        this.bilevel = bilevel;
        this.classes = net.config().classes();
        collectNorms(net, norms);
    }

    private static void collectNorms(Module m, List<BatchNorm2d> out) {
        if (m instanceof BatchNorm2d bn) out.add(bn);
        for (Module child : m.children().values()) collectNorms(child, out);
    }

    /**
     * One iteration: the weight step on {@code a} at learning rate {@code lr}, then, when {@code b} is
     * not null, the architecture step on {@code b}. Batches on the CPU. Returns {weight loss,
     * architecture loss (NaN without b)}.
     *
     * @throws ArithmeticException on a non-finite loss (after the step)
     */
    public double[] iteration(Batch a, Batch b, double lr) {
        checkLabels(a);
        if (b != null) checkLabels(b);
        this.lr = lr;
        double[] out;
        if (b == null) {
            if (weightOnly == null) weightOnly = new CapturedStep(cuda, "weight step", WARMUP, 1, this::body, this::beforeReplay);
            out = new double[] {weightOnly.run(a.images(), a.labels())[0], Double.NaN};
        } else {
            if (weightOnly != null) {
                weightOnly.close();
                weightOnly = null;
            }
            if (weightAndArch == null) {
                weightAndArch = new CapturedStep(cuda, "weight and architecture step", WARMUP, 2, this::body, this::beforeReplay);
            }
            out = weightAndArch.run(a.images(), a.labels(), b.images(), b.labels());
        }
        if (!Double.isFinite(out[0])) throw new ArithmeticException("weight loss is " + out[0]);
        if (b != null && !Double.isFinite(out[1])) throw new ArithmeticException("architecture loss is " + out[1]);
        return out;
    }

    /** The captured body: {@link Bilevel#iteration} on in = {xA, yA} or {xA, yA, xB, yB}, losses copied into {@code losses}. */
    private void body(Tensor[] in, Tensor[] losses) {
        long[] n0 = normCounts(), a0 = adamSteps();
        bilevel.iteration(in[0], in[1], in.length > 2 ? () -> new Tensor[] {in[2], in[3]} : null, lr,
                new Bilevel.Mode.Captured(losses[0], losses.length > 1 ? losses[1] : null), () -> {});
        record(n0, a0);
    }

    private void record(long[] n0, long[] a0) {
        long[] n1 = normCounts(), a1 = adamSteps();
        normDeltas = new long[n1.length];
        adamDeltas = new long[a1.length];
        for (int i = 0; i < n1.length; i++) normDeltas[i] = n1[i] - n0[i];
        for (int i = 0; i < a1.length; i++) {
            adamDeltas[i] = a1[i] - a0[i];
            if (adamDeltas[i] > 1) throw new IllegalStateException("a captured step may take one Adam step per parameter, took " + adamDeltas[i]);
        }
    }

    /** What the skipped Java code would have done: the iteration's scalars on the device, the host counters advanced. */
    private void beforeReplay() {
        bilevel.weights().at(lr);
        cuda.replayScalars().setSgdLr(lr);
        for (int i = 0; i < norms.size(); i++) norms.get(i).countBatches(normDeltas[i]);
        Adam adam = bilevel.architecture().optimizer();
        int i = 0;
        for (Map.Entry<String, Tensor> e : adam.params().entrySet()) {
            if (adamDeltas[i++] == 1) {
                long t = adam.advanceStep(e.getKey());
                cuda.replayScalars().setAdam(e.getValue(), adam.lr(), t);
            }
        }
    }

    private long[] normCounts() {
        long[] c = new long[norms.size()];
        for (int i = 0; i < c.length; i++) c[i] = norms.get(i).numBatchesTracked();
        return c;
    }

    private long[] adamSteps() {
        Adam adam = bilevel.architecture().optimizer();
        long[] s = new long[adam.params().size()];
        int i = 0;
        for (String name : adam.params().keySet()) {
            Adam.State st = adam.state().get(name);
            s[i++] = st == null ? 0 : st.step();
        }
        return s;
    }

    /** Labels in [0, classes) or the ignore label, checked on the host (a captured cross-entropy cannot). */
    private void checkLabels(Batch batch) {
        double[] v = Device.backendOf(batch.labels()).read(batch.labels());
        int bad = 0;
        for (double x : v) if (x != LossOps.IGNORE_LABEL && (x < 0 || x >= classes)) bad++;
        if (bad != 0) {
            throw new IllegalArgumentException("crossEntropy: " + bad + " labels outside [0, " + classes + ") that are not the ignore index "
                    + LossOps.IGNORE_LABEL + " in " + batch.labels().describe());
        }
    }

    /** How the last iteration ran (null before the first). */
    public CapturedStep.Phase lastPhase() {
        CapturedStep s = weightAndArch != null ? weightAndArch : weightOnly;
        return s == null ? null : s.lastPhase();
    }

    /** Destroys the graphs and frees their fixed buffers; call before the network is closed. */
    @Override public void close() {
        if (weightOnly != null) weightOnly.close();
        if (weightAndArch != null) weightAndArch.close();
        weightOnly = weightAndArch = null;
    }
}
