package adl.train;

import adl.autograd.GradMode;
import adl.backend.Device;
import adl.backend.GraphCaptureException;
import adl.backend.Tensors;
import adl.data.Batch;
import adl.data.Dataset;
import adl.data.Loader;
import adl.data.SampleTransform;
import adl.memory.HeapGuard;
import adl.memory.OutOfDeviceMemory;
import adl.memory.Scope;
import adl.nas.Bilevel;
import adl.nas.BilevelStep;
import adl.nas.Architecture;
import adl.nas.SuperNet;
import adl.train.report.RunStats;
import adl.train.report.SearchReport;
import adl.nn.Init;
import adl.optim.CosineSchedule;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bilevel search (paper §4.2, first order; second order with --arch-order 2, docs/03-bilevel.md
 * §9): per iteration one SGD step on the weights from a batch of A, then — from the architecture
 * start epoch on — one Adam step on α, β from a batch of B; validation, decoding, plots and a checkpoint after every epoch; a checkpoint on a time
 * interval and when asked to stop. {@link #run} continues from the newest checkpoint of the run
 * directory when there is one, reproducing an uninterrupted run bit for bit.
 */
public final class SearchLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SearchLoop.class.getName());
    /** Batches each loader makes ahead of the steps. */
    static final int PREFETCH = 2;

    private final SearchConfig cfg;
    private final RunFiles files;
    private final Dataset train, val;
    private final RunListener listener;
    private final StopSignal stop;
    private final DataOrder order;
    private final SuperNet net;
    /** The weight and architecture steps and their alternation (first or second order). */
    private final Bilevel bilevel;
    private final CosineSchedule schedule;
    private final EpochPlots plots;
    private final RunGuard guard;
    private SearchState state = SearchState.start();
    private final int loaderWorkers = Loader.defaultWorkers(Runtime.getRuntime().availableProcessors());
    /** Bounds the heap between iterations (the step's autograd objects die in the old generation). */
    private final HeapGuard heap = HeapGuard.fromSystemProperty();

    /** The A stream (key: global iteration) and the B stream (key: architecture step), open during {@link #run}. */
    private Loader loaderA, loaderB;
    private long dataWaitNanos;
    private long lastCheckpointNanos = System.nanoTime();
    private long sessionStartNanos;

    private final Device device;
    private final SearchGraphs graphs;
    /** Held during {@link #run} (by rank 0, which owns the run directory). */
    private RunLock lock;
    /** Whether this run started the directory (no checkpoint was there), and what was in it before. */
    private boolean fresh;
    private RunDirectory created;
    /** The other ranks of a data-parallel job (docs/08-data-parallel.md); a single process by default. */
    private DataParallel par = DataParallel.SINGLE;

    /** What a run ended with. */
    public record Result(SearchState state, Architecture architecture, boolean stopped) {}

    public SearchLoop(SearchConfig cfg, Path runDir, Dataset train, Dataset val, RunListener listener, StopSignal stop) {
        this(cfg, runDir, train, val, listener, stop, Device.CPU);
    }

    /** As above, with the network, its optimizer state and every batch on {@code device}. */
    public SearchLoop(SearchConfig cfg, Path runDir, Dataset train, Dataset val, RunListener listener, StopSignal stop, Device device) {
        this(cfg, runDir, train, val, listener, stop, device, false);
    }

    /**
     * As above; {@code cudaGraphs}: run the iterations as CUDA graphs ({@link SearchGraphs}; needs a
     * CUDA device, else IllegalArgumentException).
     */
    public SearchLoop(SearchConfig cfg, Path runDir, Dataset train, Dataset val, RunListener listener, StopSignal stop, Device device,
                      boolean cudaGraphs) {
        if (cudaGraphs && device.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException("CUDA graphs need a CUDA device, not " + device);
        }
        if (cudaGraphs && cfg.archOrder() == 2) {
            throw new IllegalArgumentException("--arch-order 2 cannot run as a CUDA graph: its finite-difference radius ε = 0.01/‖∇_w' L_val‖ "
                    + "is read on the host in the middle of the step; run without --cuda-graphs");
        }
        this.device = device;
        if (train.size() < cfg.trainImages()) {
            throw new IllegalArgumentException(train.name() + " has " + train.size() + " images, the config asks for " + cfg.trainImages());
        }
        this.cfg = cfg;
        this.files = new RunFiles(runDir);
        this.train = train;
        this.val = val;
        this.listener = listener;
        this.stop = stop;
        this.order = new DataOrder(cfg.seed(), cfg.trainImages());
        this.net = new SuperNet(new Init(device, DType.F32, cfg.seed()),
                new SuperNet.Config(cfg.layers(), cfg.blocks(), cfg.filterMultiplier(), train.numClasses()));
        this.bilevel = new Bilevel(net, BilevelStep.weights(net, cfg.lr(), cfg.momentum(), cfg.weightDecay()),
                BilevelStep.architecture(net, cfg.archLr(), cfg.archBeta1(), cfg.archBeta2(), cfg.archWeightDecay()), cfg.archOrder());
        this.schedule = new CosineSchedule(cfg.lr(), cfg.lrMin(), cfg.totalIterations());
        this.plots = new EpochPlots(files);
        this.guard = new RunGuard(files, this::mismatch, listener, "Try a lower --lr / --arch-lr.");
        this.graphs = cudaGraphs ? new SearchGraphs(device, net, bilevel) : null;
        net.setRecompute(cfg.recompute());
    }

    public SuperNet net() { return net; }

    /**
     * Runs this search as rank {@code p.rank()} of a data-parallel job (before {@link #run}): the
     * global batch {@code cfg.batch()} is shared by the ranks, gradients are summed over them, batch
     * norm is synchronised when {@code p.syncBn()}, and only rank 0 writes the run directory.
     */
    public SearchLoop distribute(DataParallel p) {
        if (p.size() > 1 && graphs != null) throw new IllegalArgumentException("--cuda-graphs does not run with several processes yet");
        p.localBatch(cfg.batch());
        this.par = p;
        return this;
    }

    public RunFiles files() { return files; }

    /** Runs (or continues) the search to its last epoch, or until a stop is requested. */
    public Result run() throws IOException {
        created = RunDirectory.before(files.dir());
        try {
            prepare();
            int ipe = cfg.resolvedItersPerEpoch();
            openLoaders();
            heap.beforeFirstStep();
            sessionStartNanos = System.nanoTime();
            double secondsBefore = state.seconds();
            Architecture arch = null;
            for (int epoch = state.epoch(); epoch < cfg.epochs(); epoch++) {
                for (int it = state.epoch() == epoch ? state.iterInEpoch() : 0; it < ipe; it++) {
                    iteration(epoch, it, ipe, secondsBefore);
                    if (par.anyStop(stop.requested())) {
                        checkpoint();
                        listener.message("stopped at epoch " + epoch + ", iteration " + state.iteration() + "; resume with --resume " + files.dir());
                        return new Result(state, null, true);
                    }
                    if (System.nanoTime() - lastCheckpointNanos > cfg.checkpointMinutes() * 60e9) checkpoint();
                }
                arch = endOfEpoch(epoch, secondsBefore);
            }
            if (arch == null) arch = net.decode(); // resumed after the last epoch was already done
            return new Result(state, arch, false);
        } catch (OutOfDeviceMemory e) {
            throw guard.outOfMemory(e, state.iteration() + 1);
        } catch (adl.data.DatasetException e) {
            closeLoaders();
            if (par.lead() && fresh && files.checkpoints().isEmpty()) created.undo();
            throw e;
        } finally {
            closeLoaders();
            if (lock != null) lock.close();
            lock = null;
            stop.finished();
        }
    }

    /**
     * The batches of the rest of the run, made ahead on worker threads: A batch of global iteration
     * g = epoch·ipe + it is {@link DataOrder#batchA}(epoch, it); B batch of architecture step k is
     * {@link DataOrder#batchB}(k), taken at global iteration archStartEpoch·ipe + k (one
     * architecture step per iteration from that epoch on). Both with the flip rule of
     * {@link Batch#of(Dataset, int[], Device, long, int, boolean)} for the epoch of their iteration,
     * so the batches are those the loop built itself before the loader.
     */
    private void openLoaders() {
        loaderA = streamA(cfg, order, train, state.iteration(), loaderWorkers, par);
        loaderB = streamB(cfg, order, train, state.archSteps(), loaderWorkers, par);
    }

    /** The A stream from global iteration {@code start} to the end of the run. */
    static Loader streamA(SearchConfig cfg, DataOrder order, Dataset train, long start, int workers) {
        return streamA(cfg, order, train, start, workers, DataParallel.SINGLE);
    }

    /** The A stream of rank {@code p.rank()}: its shard of every global batch, random choices by global slot. */
    static Loader streamA(SearchConfig cfg, DataOrder order, Dataset train, long start, int workers, DataParallel p) {
        int ipe = cfg.resolvedItersPerEpoch();
        return new Loader("search-a", train, p.shard(g -> order.batchA((int) (g / ipe), (int) (g % ipe), cfg.batch())),
                p.globalSlots(transform(cfg, cfg.seed(), SampleTransform.seededFlip(cfg.seed(), g -> g / ipe)), cfg.batch()),
                start, cfg.totalIterations(), PREFETCH, workers);
    }

    /** The B stream from architecture step {@code start} to the end of the run. */
    static Loader streamB(SearchConfig cfg, DataOrder order, Dataset train, long start, int workers) {
        return streamB(cfg, order, train, start, workers, DataParallel.SINGLE);
    }

    /** The B stream of rank {@code p.rank()}. */
    static Loader streamB(SearchConfig cfg, DataOrder order, Dataset train, long start, int workers, DataParallel p) {
        int ipe = cfg.resolvedItersPerEpoch();
        long archStart = (long) cfg.archStartEpoch() * ipe;
        return new Loader("search-b", train, p.shard(k -> order.batchB(k, cfg.batch())),
                p.globalSlots(transform(cfg, cfg.seed() ^ 0xB0B0L, SampleTransform.seededFlip(cfg.seed(), k -> (archStart + k) / ipe)), cfg.batch()),
                start, Math.max(start, cfg.totalIterations() - archStart), PREFETCH, workers);
    }

    /**
     * The synthetic images are already crop-sized: the seeded flip. A real dataset's images are
     * cut to crops by the DeepLab augmentation (random scale 0.5–2, crop, flip), keyed by
     * (stream seed, stream position, slot).
     */
    private static SampleTransform transform(SearchConfig cfg, long streamSeed, SampleTransform synthetic) {
        return cfg.dataset().equals("synthetic") ? synthetic : SampleTransform.augment(adl.data.Augment.deeplab(cfg.crop()), streamSeed);
    }

    private void closeLoaders() {
        for (Loader l : new Loader[] {loaderA, loaderB}) {
            if (l == null) continue;
            dataWaitNanos += l.waitNanos();
            l.close();
        }
        loaderA = loaderB = null;
    }

    /** Seconds the steps waited for their batches (A and B), summed over this object's runs. */
    public double dataWaitSeconds() { return dataWaitNanos / 1e9; }

    /**
     * Takes the run directory's lock (then removes leftover temp files), and either starts the run
     * (config.json, split.json, metrics.csv) or continues from the newest intact checkpoint, saying
     * which newer ones were skipped and why.
     */
    private void prepare() throws IOException {
        if (par.lead()) lock = guard.lock();
        List<Path> all = Files.isDirectory(files.dir()) ? files.checkpoints() : List.of();
        if (all.isEmpty()) {
            fresh = true;
            par.agreeOnStart(state.iteration(), files.dir());
            if (!par.lead()) return;
            if (Files.exists(files.file(RunFiles.CONFIG))) listener.message("no checkpoint in " + files.dir() + " yet: starting that run from the beginning");
            files.writeJson(RunFiles.CONFIG, cfg);
            Map<String, Object> split = new LinkedHashMap<>();
            split.put("seed", cfg.seed());
            split.put("a", order.a());
            split.put("b", order.b());
            files.writeJson(RunFiles.SPLIT, split);
            files.writeAtomically(RunFiles.METRICS, RunFiles.METRICS_HEADER + "\n");
            Files.deleteIfExists(files.file(RunFiles.HISTORY));
            return;
        }
        Checkpoint.Intact found = guard.resume(all, net, bilevel.weights().optimizer(), bilevel.architecture().optimizer());
        state = found.state();
        par.agreeOnStart(state.iteration(), files.dir());
        if (par.lead() && !cfg.equals(files.readJson(RunFiles.CONFIG, SearchConfig.class))) files.writeJson(RunFiles.CONFIG, cfg);
        final SearchState s = state;
        if (!par.lead()) return;
        files.filterLines(RunFiles.METRICS, true, line -> MetricsLog.keep(line, s));
        files.filterLines(RunFiles.HISTORY, false, line -> MetricsLog.historyEpoch(line) < s.epoch());
        listener.message("resumed from " + found.file().getFileName() + " (epoch " + s.epoch() + ", iteration " + s.iteration() + ")");
    }

    /** Why counters {@code s} cannot be a point of this run (null when they can). */
    private String mismatch(SearchState s) {
        int ipe = cfg.resolvedItersPerEpoch();
        if (s.iterInEpoch() > ipe || s.iteration() != (long) s.epoch() * ipe + s.iterInEpoch()) {
            return "(epoch " + s.epoch() + ", iteration " + s.iteration() + ") do not fit " + ipe + " iterations per epoch";
        }
        if (s.epoch() > cfg.epochs()) return "(epoch " + s.epoch() + ") lie beyond the run's " + cfg.epochs() + " epochs";
        long archSteps = Math.max(0, s.iteration() - (long) cfg.archStartEpoch() * ipe);
        if (s.archSteps() != archSteps) return "(" + s.archSteps() + " architecture steps) do not match iteration " + s.iteration();
        return null;
    }


    private void iteration(int epoch, int it, int ipe, double secondsBefore) throws IOException {
        long global = state.iteration();
        double lr = schedule.lr(global);
        boolean archStep = epoch >= cfg.archStartEpoch();
        double[] losses = graphs != null ? graphSteps(epoch, global, lr, archStep)
                : par.size() > 1 ? parallelSteps(epoch, global, lr, archStep) : eagerSteps(epoch, global, lr, archStep);
        if (graphs != null) heap.afterStep(); // (the eager steps run it after each of their two steps)
        double trainLoss = losses[0], archLoss = losses[1];
        double seconds = secondsBefore + (System.nanoTime() - sessionStartNanos) / 1e9;
        state = new SearchState(epoch, it + 1, global + 1, state.archSteps() + (archStep ? 1 : 0), state.bestMiou(), seconds);
        if (par.lead()) files.appendLine(RunFiles.METRICS, RunFiles.METRICS_HEADER, MetricsLog.trainRow(epoch, global + 1, trainLoss, archLoss, lr, seconds));
        listener.iteration(epoch, global + 1, cfg.totalIterations(), trainLoss, archLoss, lr);
    }

    /**
     * The eager iteration ({@link Bilevel#iteration}): weight step on a batch of A, then (archStep)
     * the architecture step on a batch of B — first order, or second order (its virtual step uses
     * the same A batch, at the weights after the weight step, with ξ = --unrolled-lr or the current
     * lr); {weight loss, arch loss or NaN}.
     */
    private double[] eagerSteps(int epoch, long global, double lr, boolean archStep) {
        try (Scope batches = Scope.open()) {
            Batch a = Batch.of(loaderA.take(global), device);
            return bilevel.iteration(a.images(), a.labels(), archStep ? () -> pair(Batch.of(loaderB.take(state.archSteps()), device)) : null,
                    lr, new Bilevel.Mode.Eager(cfg.unrolledLr(lr)), heap::afterStep);
        } catch (ArithmeticException e) {
            throw nonFinite(e.getMessage(), epoch, global);
        }
    }

    private static Tensor[] pair(Batch b) { return new Tensor[] {b.images(), b.labels()}; }

    /**
     * The eager iteration of one rank of several (docs/08-data-parallel.md): its shards of the A and
     * B batches, each loss weighted by the rank's share of the valid pixels, gradients summed over
     * the ranks, batch norm synchronised when asked; returns the global {weight loss, arch loss or NaN}.
     */
    private double[] parallelSteps(int epoch, long global, double lr, boolean archStep) {
        adl.data.HostBatch ha = loaderA.take(global);
        adl.data.HostBatch hb = archStep ? loaderB.take(state.archSteps()) : null;
        double[] w = par.lossWeights(ha, hb);
        double[] weighted;
        try (AutoCloseable sync = par.syncBn() ? adl.autograd.SyncBatchNorm.use(par.collectives()) : () -> {};
             Scope s = Scope.open()) {
            Batch a = Batch.of(ha, device);
            weighted = bilevel.iteration(a.images(), a.labels(), archStep ? () -> pair(Batch.of(hb, device)) : null,
                    lr, new Bilevel.Mode.Parallel(w[0], w[1], par.collectives()), heap::afterStep);
        } catch (ArithmeticException e) {
            throw nonFinite(e.getMessage(), epoch, global);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        double[] losses = par.sum(weighted[0], archStep ? weighted[1] : 0);
        return new double[] {losses[0], archStep ? losses[1] : Double.NaN};
    }

    /** The same iteration as CUDA graphs ({@link SearchGraphs}): both batches built on the host, then one step. */
    private double[] graphSteps(int epoch, long global, double lr, boolean archStep) {
        try (Scope s = Scope.open()) {
            Batch a = Batch.of(loaderA.take(global), Device.CPU);
            Batch b = archStep ? Batch.of(loaderB.take(state.archSteps()), Device.CPU) : null;
            return graphs.iteration(a, b, lr);
        } catch (ArithmeticException e) {
            throw nonFinite(e.getMessage(), epoch, global);
        } catch (GraphCaptureException e) {
            throw new RunFailed("--cuda-graphs: " + e.getMessage() + " (at iteration " + (global + 1) + "); run without --cuda-graphs", e);
        }
    }

    private RunFailed nonFinite(String what, int epoch, long global) {
        return guard.nonFiniteLoss(what, "iteration " + (global + 1) + " (epoch " + epoch + ")");
    }

    private Architecture endOfEpoch(int epoch, double secondsBefore) throws IOException {
        double[] lossAndMiou = validate();
        Architecture arch = net.decode();
        double seconds = secondsBefore + (System.nanoTime() - sessionStartNanos) / 1e9;
        boolean best = lossAndMiou[1] > state.bestMiou();
        state = new SearchState(epoch + 1, 0, state.iteration(), state.archSteps(), Math.max(state.bestMiou(), lossAndMiou[1]), seconds);
        if (par.lead()) {
            files.appendLine(RunFiles.METRICS, RunFiles.METRICS_HEADER, MetricsLog.valRow(epoch, state.iteration(), lossAndMiou[0], lossAndMiou[1], seconds));
            files.writeAtomically(RunFiles.ARCHITECTURE, arch.toJson() + "\n");
            files.appendLine(RunFiles.HISTORY, null, "{\"epoch\":" + epoch + ",\"architecture\":" + arch.toJson().replaceAll("\\s+", "") + "}");
            plots.write(net, arch, listener);
            try {
                RunStats.recordPeak(files.dir());
                SearchReport.write(files.dir(), false);
            } catch (IOException | RuntimeException e) {
                listener.message("warning: could not write report.html: " + e.getMessage());
            }
        }
        Path written = checkpoint();
        if (best && written != null) RunFiles.copyAtomically(written, files.bestCheckpoint());
        listener.epochEnd(epoch, lossAndMiou[0], lossAndMiou[1], arch);
        return arch;
    }

    /** {mean loss, mIoU} of the supernet on the first valImages validation images (eval mode, no gradients). */
    private double[] validate() { return Validation.score(net, val, cfg.valImages(), cfg.batch(), device); }

    /** Writes a checkpoint (rank 0 only; null on the other ranks) after checking the parameters are finite. */
    private Path checkpoint() throws IOException {
        guard.requireFinite(net, state.iteration());
        if (!par.lead()) {
            lastCheckpointNanos = System.nanoTime();
            return null;
        }
        Path p = files.checkpointPath(state.epoch(), state.iteration());
        Checkpoint.save(p, net, bilevel.weights().optimizer(), bilevel.architecture().optimizer(), state);
        files.pruneCheckpoints(cfg.keepCheckpoints());
        lastCheckpointNanos = System.nanoTime();
        LOG.log(System.Logger.Level.DEBUG, "checkpoint {0}", p);
        return p;
    }

    /** α and β as they are now (host copies), for tests and reports. */
    public List<double[]> archValues() {
        return List.of(Tensors.toDoubles(net.arch().alpha()), Tensors.toDoubles(net.arch().beta()));
    }

    @Override
    public void close() {
        if (graphs != null) graphs.close();
        bilevel.close();
        net.close();
    }
}
