package adl.train;

import adl.autograd.Autograd;
import adl.autograd.LossOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.Augment;
import adl.data.Batch;
import adl.data.Dataset;
import adl.data.HostBatch;
import adl.data.ImageFiles;
import adl.data.Loader;
import adl.data.Normalization;
import adl.data.Palette;
import adl.data.Sample;
import adl.data.SampleTransform;
import adl.memory.HeapGuard;
import adl.memory.Scope;
import adl.nas.Architecture;
import adl.nas.retrain.FixedNetwork;
import adl.nn.Module;
import adl.optim.PolySchedule;
import adl.optim.SGD;
import adl.tensor.Tensor;
import adl.train.eval.MaskImages;
import adl.train.plot.CurvePlot;
import adl.train.report.RetrainReport;
import adl.train.report.RunStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Training the found network from scratch (paper §5.2; DESIGN §5 "Retrain"): SGD with momentum,
 * poly learning rate (power 0.9) per iteration, random scale / crop / flip; every
 * {@code evalEvery} iterations and at the end: validation mIoU, curves.png and a checkpoint (the
 * best kept as well); a checkpoint on a time interval and when asked to stop. {@link #run}
 * continues from the newest checkpoint of the run directory, bit for bit as an uninterrupted run.
 *
 * <p>Counters reuse {@link SearchState}: epoch = evaluations done, iterInEpoch = iterations since
 * the last one, archSteps = 0. metrics.csv has the search's columns (arch_loss stays empty).
 */
public final class RetrainLoop {
    private static final long ORDER = 0x5EED_00C0L;
    /** Training batches the loader makes ahead of the step. */
    static final int PREFETCH = 2;

    private final RetrainConfig cfg;
    private final RunFiles files;
    private final Module net;
    private final Architecture architecture;
    private final Dataset train, val;
    private final SearchListener listener;
    private final StopSignal stop;
    private final Device device;
    /** Bounds the heap between iterations (the step's autograd objects die in the old generation). */
    private final HeapGuard heap = HeapGuard.fromSystemProperty();
    private final LongConsumer beforeIteration;
    private final SGD sgd;
    private final PolySchedule schedule;
    private final Augment augment;
    private final int loaderWorkers = Loader.defaultWorkers(Runtime.getRuntime().availableProcessors());
    private SearchState state = SearchState.start();
    private long dataWaitNanos;
    private long lastCheckpointNanos = System.nanoTime(), sessionStartNanos;

    /** What a run ended with: its counters, and whether it stopped early on request. */
    public record Result(SearchState state, boolean stopped) {}

    /**
     * @param net             the network (forward: images [N, 3, H, W] → logits [N, K, H, W]), on {@code device}
     * @param architecture    what it was built from, written to the run directory as architecture.json
     * @param beforeIteration told the iteration number before each training step (drop-path schedule, dropout seeds)
     */
    public RetrainLoop(RetrainConfig cfg, Path runDir, Module net, Architecture architecture, Dataset train, Dataset val,
                       SearchListener listener, StopSignal stop, Device device, LongConsumer beforeIteration) {
        if (train.size() < cfg.batch()) throw new IllegalArgumentException(train.name() + " has " + train.size() + " images, fewer than a batch of " + cfg.batch());
        if (train.numClasses() != cfg.classes()) {
            throw new IllegalArgumentException(train.name() + " has " + train.numClasses() + " classes, the config says " + cfg.classes());
        }
        this.cfg = cfg;
        this.files = new RunFiles(runDir);
        this.net = net;
        this.architecture = architecture;
        this.train = train;
        this.val = val;
        this.listener = listener;
        this.stop = stop;
        this.device = device;
        this.beforeIteration = beforeIteration;
        this.sgd = new SGD(net.namedParameters(), cfg.lr(), cfg.momentum(), cfg.weightDecay(), false);
        this.schedule = new PolySchedule(cfg.lr(), cfg.iters(), 0.9);
        this.augment = new Augment(cfg.crop(), cfg.minScale(), cfg.maxScale(), true);
        EpochPlots.warmUp();
    }

    public RunFiles files() { return files; }

    /** Runs (or continues) the training to its last iteration, or until a stop is requested. */
    public Result run() throws IOException {
        try {
            prepare();
            sessionStartNanos = System.nanoTime();
            double secondsBefore = state.seconds();
            try (Loader loader = new Loader("retrain", train, this::batchIndices, SampleTransform.augment(augment, cfg.seed()),
                    state.iteration(), cfg.iters(), PREFETCH, loaderWorkers)) {
                try {
                    while (state.iteration() < cfg.iters()) {
                        iteration(loader, secondsBefore);
                        heap.afterStep();
                        boolean evalNow = state.iteration() % cfg.evalEvery() == 0 || state.iteration() == cfg.iters();
                        if (evalNow) evaluate(secondsBefore);
                        if (stop.requested()) {
                            if (!evalNow) checkpoint();
                            listener.message("stopped at iteration " + state.iteration() + "; resume with --resume " + files.dir());
                            return new Result(state, true);
                        }
                        if (!evalNow && System.nanoTime() - lastCheckpointNanos > cfg.checkpointMinutes() * 60e9) checkpoint();
                    }
                    return new Result(state, false);
                } finally {
                    dataWaitNanos += loader.waitNanos();
                }
            }
        } catch (adl.backend.cuda.CachingAllocator.OutOfDeviceMemory e) {
            Path last = files.latestCheckpoint();
            throw new SearchFailed(e.getMessage() + " (at iteration " + (state.iteration() + 1) + "); "
                    + (last == null ? "no checkpoint was written yet." : "the last checkpoint, " + last + ", is intact."), e);
        } finally {
            stop.finished();
            sgd.close();
        }
    }

    private void prepare() throws IOException {
        Files.createDirectories(files.dir());
        Path latest = files.latestCheckpoint();
        if (latest == null) {
            files.writeJson(RunFiles.CONFIG, cfg);
            files.writeAtomically(RunFiles.ARCHITECTURE, architecture.toJson() + "\n");
            files.writeAtomically(RunFiles.METRICS, RunFiles.METRICS_HEADER + "\n");
            writeSamples();
            return;
        }
        try {
            state = Checkpoint.load(latest, net, sgd, null);
        } catch (IOException | RuntimeException e) {
            throw new SearchFailed("cannot resume from " + latest + ": " + e.getMessage(), e);
        }
        final SearchState s = state;
        files.filterLines(RunFiles.METRICS, true, line -> MetricsLog.keep(line, s));
        listener.message("resumed from " + latest.getFileName() + " (iteration " + s.iteration() + ")");
    }

    /** Folders with the first validation images as PNGs and their true masks in the palette: inputs to try {@code predict} on. */
    public static final String SAMPLES = "samples", SAMPLE_TRUTH = "samples_truth";
    static final int SAMPLE_COUNT = 4;

    private void writeSamples() throws IOException {
        int[][] palette = val.palette();
        for (int i = 0; i < Math.min(SAMPLE_COUNT, val.size()); i++) {
            Sample s = val.get(i);
            String name = String.format(java.util.Locale.ROOT, "val_%04d.png", i);
            MaskImages.writePng(files.file(SAMPLES).resolve(name), ImageFiles.toImage(s.image(), s.height(), s.width(), Normalization.SYNTHETIC));
            MaskImages.writePng(files.file(SAMPLE_TRUTH).resolve(name), MaskImages.colorize(s.label(), s.height(), s.width(), palette));
        }
    }

    /** Dataset indices of training batch {@code iteration}: the training set in a fresh seeded permutation per pass. */
    int[] batchIndices(long iteration) {
        int n = train.size();
        int[] out = new int[cfg.batch()];
        for (int k = 0; k < out.length; k++) {
            long p = iteration * cfg.batch() + k;
            out[k] = DataOrder.permutation(n, DataOrder.mix(cfg.seed(), ORDER, p / n))[(int) (p % n)];
        }
        return out;
    }

    /** Seconds the training steps waited for their batches, summed over this object's runs. */
    public double dataWaitSeconds() { return dataWaitNanos / 1e9; }

    private void iteration(Loader loader, double secondsBefore) throws IOException {
        long global = state.iteration();
        double lr = schedule.lr(global);
        beforeIteration.accept(global);
        double loss;
        try (Scope s = Scope.open()) {
            HostBatch host = loader.take(global);
            Batch b = Batch.of(host, device);
            Tensor l = LossOps.crossEntropy(net.forward(b.images()), b.labels(), LossOps.IGNORE_LABEL);
            loss = Tensors.item(l);
            if (!Double.isFinite(loss)) throw nonFinite("training loss is " + loss, global);
            sgd.setLr(lr);
            Autograd.backward(l, sgd.params().values());
            sgd.step();
            sgd.zeroGrad();
        }
        double seconds = secondsBefore + (System.nanoTime() - sessionStartNanos) / 1e9;
        state = new SearchState(state.epoch(), state.iterInEpoch() + 1, global + 1, 0, state.bestMiou(), seconds);
        files.appendLine(RunFiles.METRICS, RunFiles.METRICS_HEADER, MetricsLog.trainRow(state.epoch(), global + 1, loss, Double.NaN, lr, seconds));
        listener.iteration(state.epoch(), global + 1, cfg.iters(), loss, Double.NaN, lr);
    }

    private SearchFailed nonFinite(String what, long global) {
        Path last;
        try {
            last = files.latestCheckpoint();
        } catch (IOException e) {
            last = null;
        }
        return new SearchFailed("the " + what + " at iteration " + (global + 1) + "; stopped without saving. "
                + (last == null ? "No checkpoint was written yet." : "The last good checkpoint is " + last + ".") + " Try a lower --lr.");
    }

    private void evaluate(double secondsBefore) throws IOException {
        Validation.Scores scores = Validation.run(net, val, cfg.valImages(), cfg.batch(), device);
        double[] lossAndMiou = scores.lossAndMiou();
        double seconds = secondsBefore + (System.nanoTime() - sessionStartNanos) / 1e9;
        boolean best = lossAndMiou[1] > state.bestMiou();
        int done = state.epoch();
        state = new SearchState(done + 1, 0, state.iteration(), 0, Math.max(state.bestMiou(), lossAndMiou[1]), seconds);
        files.appendLine(RunFiles.METRICS, RunFiles.METRICS_HEADER, MetricsLog.valRow(done, state.iteration(), lossAndMiou[0], lossAndMiou[1], seconds));
        try {
            CurvePlot.write(files.file(EpochPlots.CURVES), EpochPlots.readMetrics(files.file(RunFiles.METRICS)), false);
        } catch (IOException | RuntimeException e) {
            listener.message("warning: could not write the plots: " + e.getMessage());
        }
        Path written = checkpoint();
        if (best) RunFiles.writeAtomically(files.bestCheckpoint(), Files.readAllBytes(written));
        if (net instanceof FixedNetwork fixed) {
            try {
                RunStats.recordPeak(files.dir());
                RetrainReport.write(files.dir(), new RetrainReport.Inputs(fixed, val, new Palette(val.classes(), val.palette()), scores.confusion(), cfg.crop(), device), false);
            } catch (IOException | RuntimeException e) {
                listener.message("warning: could not write report.html: " + e.getMessage());
            }
        }
        listener.epochEnd(done, lossAndMiou[0], lossAndMiou[1], architecture);
    }

    private Path checkpoint() throws IOException {
        String bad = Checkpoint.firstNonFinite(net);
        if (bad != null) {
            throw new SearchFailed(bad + " after iteration " + state.iteration()
                    + "; no checkpoint written (the last good one is " + files.latestCheckpoint() + "). Try a lower --lr.");
        }
        Path p = files.checkpointPath(state.epoch(), state.iteration());
        Checkpoint.save(p, net, sgd, null, state);
        files.pruneCheckpoints(cfg.keepCheckpoints());
        lastCheckpointNanos = System.nanoTime();
        return p;
    }
}
