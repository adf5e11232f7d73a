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
import adl.memory.OutOfDeviceMemory;
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
 * Training the found network from scratch (paper §5.2; docs/06-retrain.md §5): SGD with momentum,
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
    private final RunListener listener;
    private final StopSignal stop;
    private final Device device;
    /** Bounds the heap between iterations (the step's autograd objects die in the old generation). */
    private final HeapGuard heap = HeapGuard.fromSystemProperty();
    private final LongConsumer beforeIteration;
    private final SGD sgd;
    private final PolySchedule schedule;
    private final Augment augment;
    private final RunGuard guard;
    private final int loaderWorkers = Loader.defaultWorkers(Runtime.getRuntime().availableProcessors());
    private SearchState state = SearchState.start();
    /** Held during {@link #run} (by rank 0, which owns the run directory). */
    private RunLock lock;
    /** Whether this run started the directory (no checkpoint was there), and what was in it before. */
    private boolean fresh;
    private RunDirectory created;
    /** The other ranks of a data-parallel job (docs/08-data-parallel.md); a single process by default. */
    private DataParallel par = DataParallel.SINGLE;
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
                       RunListener listener, StopSignal stop, Device device, LongConsumer beforeIteration) {
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
        this.guard = new RunGuard(files, this::mismatch, listener, "Try a lower --lr.");
        EpochPlots.warmUp();
    }

    public RunFiles files() { return files; }

    /**
     * Runs this training as rank {@code p.rank()} of a data-parallel job (before {@link #run}): its
     * shard of every global batch of {@code cfg.batch()}, gradients summed over the ranks with the
     * loss weighted by valid pixels, batch norm synchronised when {@code p.syncBn()}, only rank 0
     * writing the run directory. The caller shards the network's dropout masks
     * ({@code FixedNetwork.setShard}).
     */
    public RetrainLoop distribute(DataParallel p) {
        p.localBatch(cfg.batch());
        this.par = p;
        return this;
    }

    /** Runs (or continues) the training to its last iteration, or until a stop is requested. */
    public Result run() throws IOException {
        created = RunDirectory.before(files.dir());
        try {
            prepare();
            heap.beforeFirstStep();
            sessionStartNanos = System.nanoTime();
            double secondsBefore = state.seconds();
            try (Loader loader = new Loader("retrain", train, par.shard(this::batchIndices),
                    par.globalSlots(SampleTransform.augment(augment, cfg.seed()), cfg.batch()), state.iteration(), cfg.iters(), PREFETCH, loaderWorkers)) {
                try {
                    while (state.iteration() < cfg.iters()) {
                        iteration(loader, secondsBefore);
                        heap.afterStep();
                        boolean evalNow = state.iteration() % cfg.evalEvery() == 0 || state.iteration() == cfg.iters();
                        if (evalNow) evaluate(secondsBefore);
                        if (par.anyStop(stop.requested())) {
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
        } catch (OutOfDeviceMemory e) {
            throw guard.outOfMemory(e, state.iteration() + 1);
        } catch (adl.data.DatasetException e) {
            if (par.lead() && fresh && files.checkpoints().isEmpty()) created.undo();
            throw e;
        } finally {
            if (lock != null) lock.close();
            lock = null;
            stop.finished();
            sgd.close();
        }
    }

    /** Takes the run directory's lock (then removes leftover temp files); starts the run or continues from the newest intact checkpoint. */
    private void prepare() throws IOException {
        if (par.lead()) lock = guard.lock();
        java.util.List<Path> all = Files.isDirectory(files.dir()) ? files.checkpoints() : java.util.List.of();
        if (all.isEmpty()) {
            fresh = true;
            par.agreeOnStart(state.iteration(), files.dir());
            if (!par.lead()) return;
            files.writeJson(RunFiles.CONFIG, cfg);
            files.writeAtomically(RunFiles.ARCHITECTURE, architecture.toJson() + "\n");
            files.writeAtomically(RunFiles.METRICS, RunFiles.METRICS_HEADER + "\n");
            writeSamples();
            return;
        }
        Checkpoint.Intact found = guard.resume(all, net, sgd, null);
        state = found.state();
        par.agreeOnStart(state.iteration(), files.dir());
        if (par.lead() && !cfg.equals(files.readJson(RunFiles.CONFIG, RetrainConfig.class))) files.writeJson(RunFiles.CONFIG, cfg);
        final SearchState s = state;
        if (!par.lead()) return;
        files.filterLines(RunFiles.METRICS, true, line -> MetricsLog.keep(line, s));
        listener.message("resumed from " + found.file().getFileName() + " (iteration " + s.iteration() + ")");
    }

    /** Why counters {@code s} cannot be a point of this run (null when they can). */
    private String mismatch(SearchState s) {
        if (s.iteration() > cfg.iters()) return "(iteration " + s.iteration() + ") lie beyond the run's " + cfg.iters() + " iterations";
        if (s.archSteps() != 0) return "(" + s.archSteps() + " architecture steps) belong to a search, not a retrain run";
        return null;
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
        if (par.size() > 1) {
            loss = parallelStep(loader.take(global), global, lr);
        } else {
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
        }
        double seconds = secondsBefore + (System.nanoTime() - sessionStartNanos) / 1e9;
        state = new SearchState(state.epoch(), state.iterInEpoch() + 1, global + 1, 0, state.bestMiou(), seconds);
        if (par.lead()) files.appendLine(RunFiles.METRICS, RunFiles.METRICS_HEADER, MetricsLog.trainRow(state.epoch(), global + 1, loss, Double.NaN, lr, seconds));
        listener.iteration(state.epoch(), global + 1, cfg.iters(), loss, Double.NaN, lr);
    }

    /**
     * One rank's step (docs/08-data-parallel.md): the gradient of w_r·L_r, w_r = this rank's share of
     * the valid pixels, summed over the ranks in rank order, then the same SGD step everywhere;
     * returns the global loss Σ_r w_r·L_r.
     */
    private double parallelStep(HostBatch host, long global, double lr) {
        double w = par.lossWeights(host)[0];
        double weighted;
        try (AutoCloseable sync = par.syncBn() ? adl.autograd.SyncBatchNorm.use(par.collectives()) : () -> {};
             Scope s = Scope.open()) {
            Batch b = Batch.of(host, device);
            Tensor l = LossOps.crossEntropy(net.forward(b.images()), b.labels(), LossOps.IGNORE_LABEL);
            double loss = Tensors.item(l);
            if (!Double.isFinite(loss)) throw nonFinite("training loss is " + loss, global);
            sgd.setLr(lr);
            Autograd.backward(l, Tensors.full(Device.backendOf(l).device(), l.dtype(), l.shape(), w), sgd.params().values());
            java.util.List<Tensor> grads = new java.util.ArrayList<>();
            for (Tensor p : sgd.params().values()) if (p.grad() != null) grads.add(p.grad());
            par.collectives().allReduceSum(grads);
            sgd.step();
            sgd.zeroGrad();
            weighted = loss * w;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return par.sum(weighted)[0];
    }

    private RunFailed nonFinite(String what, long global) { return guard.nonFiniteLoss(what, "iteration " + (global + 1)); }

    private void evaluate(double secondsBefore) throws IOException {
        Validation.Scores scores = Validation.run(net, val, cfg.valImages(), cfg.batch(), device);
        double[] lossAndMiou = scores.lossAndMiou();
        double seconds = secondsBefore + (System.nanoTime() - sessionStartNanos) / 1e9;
        boolean best = lossAndMiou[1] > state.bestMiou();
        int done = state.epoch();
        state = new SearchState(done + 1, 0, state.iteration(), 0, Math.max(state.bestMiou(), lossAndMiou[1]), seconds);
        if (par.lead()) {
            files.appendLine(RunFiles.METRICS, RunFiles.METRICS_HEADER, MetricsLog.valRow(done, state.iteration(), lossAndMiou[0], lossAndMiou[1], seconds));
            try {
                CurvePlot.write(files.file(EpochPlots.CURVES), EpochPlots.readMetrics(files.file(RunFiles.METRICS)), false);
            } catch (IOException | RuntimeException e) {
                listener.message("warning: could not write the plots: " + e.getMessage());
            }
        }
        Path written = checkpoint();
        if (best && written != null) RunFiles.copyAtomically(written, files.bestCheckpoint());
        if (par.lead() && net instanceof FixedNetwork fixed) {
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
        guard.requireFinite(net, state.iteration());
        if (!par.lead()) { // rank 0 owns the run directory
            lastCheckpointNanos = System.nanoTime();
            return null;
        }
        Path p = files.checkpointPath(state.epoch(), state.iteration());
        Checkpoint.save(p, net, sgd, null, state);
        files.pruneCheckpoints(cfg.keepCheckpoints());
        lastCheckpointNanos = System.nanoTime();
        return p;
    }
}
