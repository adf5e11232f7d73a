package adl.cli;

import adl.backend.Device;
import adl.backend.cpu.Parallel;
import adl.data.Dataset;
import adl.data.SyntheticDataset;
import adl.train.RunFiles;
import adl.train.SearchConfig;
import adl.train.SearchLoop;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code adl search}: the Auto-DeepLab architecture search. With no arguments, the small preset
 * on the built-in synthetic data, on the CPU, in minutes.
 */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the Auto-DeepLab architecture search (cell + network level).",
                "With no arguments: the 'small' preset on the built-in synthetic data, on the CPU, in a few minutes.",
                "Writes a run directory: config.json, split.json, metrics.csv, checkpoints/, architecture.json, "
                        + "architecture_history.jsonl, PNG plots (curves, α heatmap, β trellis, decoded cell) and report.html.",
                "Ctrl-C finishes the step, checkpoints and exits; --resume DIR continues exactly."})
final class SearchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", description = "synthetic, cityscapes, voc, ade20k or folder (datasets/*.md). Its training split is divided "
            + "into the halves A and B; its validation split is scored on centre crops. Default: ${DEFAULT-VALUE}.")
    String dataset = "synthetic";
    @Option(names = "--data", paramLabel = "DIR", description = "Dataset folder (default: none; synthetic data needs none).")
    Path data;
    @Option(names = "--resize", description = "Scale real images as they are read (the paper searches on half-resolution Cityscapes: 0.5). Default 1.")
    Double resize;
    @Option(names = "--device", description = "auto, cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE} (CUDA device 0 when usable, else the CPU).")
    String device = "auto";
    @Option(names = "--preset", description = "small or paper: the defaults of every number below. Default: ${DEFAULT-VALUE}.")
    String preset = "small";
    @Option(names = "--layers", description = "Layers L of the trellis (default: small 4, paper 12).")
    Integer layers;
    @Option(names = "--blocks", description = "Blocks B per cell (default: small 5, paper 5).")
    Integer blocks;
    @Option(names = "--filter-multiplier", description = "Filter multiplier F: C = F·2^level per block (default: small 4, paper 8).")
    Integer filterMultiplier;
    @Option(names = "--crop", description = "Square crop size in pixels (default: small 64, paper 321).")
    Integer crop;
    @Option(names = "--batch", description = "Batch size for both steps (default: small 2, paper 2).")
    Integer batch;
    @Option(names = "--epochs", description = "Epochs (default: small 24, paper 40).")
    Integer epochs;
    @Option(names = "--arch-start-epoch", description = "First epoch (0-based) with architecture steps (default: small 12, paper 20; half-way, as the paper).")
    Integer archStartEpoch;
    @Option(names = "--iters-per-epoch", description = "Iterations per epoch; 0 = one pass over the A half (default 0).")
    Integer itersPerEpoch;
    @Option(names = "--lr", description = "SGD learning rate at the start of the cosine schedule (default 0.025).")
    Double lr;
    @Option(names = "--lr-min", description = "Learning rate at the end of the cosine schedule (default 0.001).")
    Double lrMin;
    @Option(names = "--momentum", description = "SGD momentum (default 0.9).")
    Double momentum;
    @Option(names = "--weight-decay", description = "SGD weight decay (default 3e-4).")
    Double weightDecay;
    @Option(names = "--arch-lr", description = "Adam learning rate for α, β (default 3e-3).")
    Double archLr;
    @Option(names = "--arch-weight-decay", description = "Adam weight decay for α, β (default 1e-3).")
    Double archWeightDecay;
    @Option(names = "--arch-betas", split = ",", paramLabel = "B1,B2", hideParamSyntax = true, description = "Adam betas for α, β (default 0.9,0.999).")
    double[] archBetas;
    @Option(names = "--train-images", description = "Training images, split into halves A and B (default on synthetic data: small 80, paper 2975).")
    Integer trainImages;
    @Option(names = "--val-images", description = "Validation images scored after each epoch (default: small 16, paper 500).")
    Integer valImages;
    @Option(names = "--seed", description = "Seed of the split, data order, augmentation and initialisation (default 0).")
    Long seed;
    @Option(names = "--threads", description = "CPU threads (default: all cores). Results do not depend on it.")
    Integer threads;
    @Option(names = "--checkpoint-minutes", description = "Also checkpoint after this many minutes (default 10).")
    Double checkpointMinutes;
    @Option(names = "--keep-checkpoints", description = "Periodic checkpoints kept, besides the best (default 3).")
    Integer keepCheckpoints;
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default runs/search-<date>-<time>).")
    Path out;
    @Option(names = "--cuda-graphs", description = "Run each iteration as a captured CUDA graph after warm-up (CUDA only; ignored with a notice "
            + "on the CPU). Off by default: not yet verified on a GPU.")
    boolean cudaGraphs;
    @Option(names = "--recompute", description = "Recompute the cell edges' candidate ops in backward instead of storing them: "
            + "about half the engine's live memory, same loss, gradients equal up to summation order.")
    boolean recompute;
    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint (its config.json wins over other flags). Default: a new run.")
    Path resume;

    @Override
    public Integer call() throws Exception {
        Device dev = DeviceOption.resolve(spec.commandLine(), "search", device, spec.commandLine().getErr());
        if (dev == null) return 2;
        boolean graphs = DeviceOption.cudaGraphs(cudaGraphs, dev, "search", spec.commandLine().getErr());
        SearchConfig cfg;
        Path dir;
        if (resume != null) {
            dir = resume;
            if (!Files.exists(dir.resolve(RunFiles.CONFIG))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--resume " + dir + ": no " + RunFiles.CONFIG + " there (not a search run directory)");
            }
            cfg = new RunFiles(dir).readJson(RunFiles.CONFIG, SearchConfig.class);
            if (new RunFiles(dir).latestCheckpoint() == null) {
                spec.commandLine().getOut().println("no checkpoint in " + dir + " yet: starting that run from the beginning");
            }
        } else {
            String name = DataChoice.name(spec.commandLine(), dataset);
            Dataset realTrain = name.equals(DataChoice.SYNTHETIC) ? null
                    : DataChoice.open(spec.commandLine(), name, data, "train", resize != null ? resize : 1.0);
            cfg = resolve(name, realTrain);
            dir = DataChoice.newRunDir(spec.commandLine(), out, "search");
        }
        int nThreads = threads != null ? threads : cfg.threads();
        Parallel.setThreads(nThreads);
        Dataset[] sets = DataChoice.trainAndVal(spec.commandLine(), cfg.dataset(), cfg.data(), cfg.resize(), cfg.trainImages(), cfg.crop(),
                cfg.valImages(), cfg.crop(), cfg.seed());
        Dataset train = sets[0], val = sets[1];
        java.io.PrintStream console = System.out;
        console.printf(Locale.ROOT, "search: %s, %d layers, B %d, F %d, crop %d, batch %d, %d epochs (architecture from %d), %d iterations, %d threads, %s%n",
                resume != null ? "resuming " + dir : "run " + dir, cfg.layers(), cfg.blocks(), cfg.filterMultiplier(), cfg.crop(), cfg.batch(),
                cfg.epochs(), cfg.archStartEpoch(), cfg.totalIterations(), nThreads, dev);
        try (GracefulStop stop = new GracefulStop("adl-search-stop")) {
            try {
                return runLoop(cfg, dir, train, val, console, stop, dev, graphs);
            } finally {
                console.flush();
            }
        }
    }

    private int runLoop(SearchConfig cfg, Path dir, Dataset train, Dataset val, java.io.PrintStream console, GracefulStop stop, Device dev,
                        boolean graphs)
            throws java.io.IOException {
        long t0 = System.nanoTime();
        SearchLoop.Result r;
        try (ConsoleProgress progress = new ConsoleProgress(console, System.console() != null && System.console().isTerminal(), 10);
             SearchLoop loop = new SearchLoop(cfg, dir, train, val, progress, stop.signal(), dev, graphs)) {
            loop.net().setRecompute(recompute);
            r = loop.run();
        } catch (adl.train.SearchFailed e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (r.stopped()) return 130;
        stop.disarm();
        console.printf(Locale.ROOT, "done in %.0f s. Decoded architecture (%s):%n%s", (System.nanoTime() - t0) / 1e9,
                dir.resolve(RunFiles.ARCHITECTURE), r.architecture().describeCell());
        console.println("path (level per layer): " + java.util.Arrays.toString(r.architecture().path()));
        return 0;
    }

    private SearchConfig resolve(String name, Dataset realTrain) {
        SearchPreset p = switch (preset) {
            case "small" -> SearchPreset.SMALL;
            case "paper" -> SearchPreset.PAPER;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--preset must be small or paper, got '" + preset + "'");
        };
        if (archBetas != null && archBetas.length != 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--arch-betas wants two numbers, e.g. 0.9,0.999");
        }
        try {
            return new SearchConfig(name, data == null ? null : data.toAbsolutePath().toString(), resize != null ? resize : 1.0, "cpu",
                    or(layers, p.layers), or(blocks, p.blocks), or(filterMultiplier, p.filterMultiplier), or(crop, p.crop),
                    or(batch, p.batch), or(epochs, p.epochs), or(archStartEpoch, p.archStartEpoch), or(itersPerEpoch, 0),
                    or(lr, SearchPreset.LR), or(lrMin, SearchPreset.LR_MIN), or(momentum, SearchPreset.MOMENTUM),
                    or(weightDecay, SearchPreset.WEIGHT_DECAY), or(archLr, SearchPreset.ARCH_LR),
                    or(archWeightDecay, SearchPreset.ARCH_WEIGHT_DECAY),
                    archBetas != null ? archBetas[0] : SearchPreset.ARCH_BETA1, archBetas != null ? archBetas[1] : SearchPreset.ARCH_BETA2,
                    or(trainImages, realTrain != null ? realTrain.size() : p.trainImages), or(valImages, p.valImages), or(seed, 0L),
                    or(threads, Runtime.getRuntime().availableProcessors()), or(checkpointMinutes, 10.0), or(keepCheckpoints, 3));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static <T> T or(T v, T fallback) { return v != null ? v : fallback; }
}
