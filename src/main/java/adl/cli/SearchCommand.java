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

import static adl.cli.Job.or;

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

    @CommandLine.Mixin DataOptions dataOptions;
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
    @Option(names = "--batch", description = "Global batch size for both steps, shared evenly by the processes of an mpirun/srun job (default: small 2, paper 2).")
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
    @Option(names = "--arch-order", description = "Architecture gradient: 1 = first order (the paper's), 2 = the unrolled second-order gradient "
            + "of DARTS through one virtual weight step (about four passes per architecture step instead of one; docs/03-bilevel.md §9). Default 1.")
    Integer archOrder;
    @Option(names = "--unrolled-lr", paramLabel = "XI", description = "ξ of the second-order virtual weight step (default: the current weight "
            + "learning rate of the cosine schedule, as DARTS; 0 gives the first-order gradient).")
    Double unrolledLr;
    @Option(names = "--train-images", description = "Training images, split into halves A and B (default on synthetic data: small 80, paper 2975).")
    Integer trainImages;
    @Option(names = "--val-images", description = "Validation images scored after each epoch (default: small 16, paper 500).")
    Integer valImages;
    @Option(names = "--seed", description = "Seed of the split, data order, augmentation and initialisation (default 0).")
    Long seed;
    @CommandLine.Mixin RunOptions runOptions;
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default runs/search-<date>-<time>).")
    Path out;
    @Option(names = "--cuda-graphs", description = "Run each iteration as a captured CUDA graph after warm-up (CUDA only; ignored with a notice "
            + "on the CPU). Off by default: not yet verified on a GPU.")
    boolean cudaGraphs;
    @Option(names = "--recompute", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Recompute the cell edges' "
            + "candidate ops in backward instead of storing them (default): about half the engine's live memory, bitwise the same numbers; "
            + "--no-recompute stores them (one cell forward less per step).")
    boolean recompute = true;
    @CommandLine.Mixin ResumeOption resumeOption;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        Path resume = resumeOption.dir;
        adl.train.DataParallel par = runOptions.start(cl);
        SearchConfig cfg;
        Path dir;
        if (resume != null) {
            dir = resume;
            cfg = resumed(cl, dir);
        } else {
            String name = DataChoice.name(cl, dataOptions.dataset);
            cfg = resolve(name, null);
            if (cfg.archStartEpoch() >= cfg.epochs()) {
                throw new CommandLine.ParameterException(cl, "--arch-start-epoch " + cfg.archStartEpoch() + " must be below --epochs " + cfg.epochs()
                        + ": otherwise the search never takes an architecture step");
            }
            dir = Job.newRunDir(cl, out, "search");
            Dataset realTrain = name.equals(DataChoice.SYNTHETIC) ? null
                    : DataChoice.open(cl, name, dataOptions.data, "train", dataOptions.scale());
            if (realTrain != null) cfg = resolve(name, realTrain);
        }
        Job.checkBatch(cl, par, cfg.batch());
        if (cfg.archOrder() == 2 && par.size() > 1) {
            throw new CommandLine.ParameterException(cl, "--arch-order 2 cannot run in a multi-process job yet: its ε = 0.01/‖∇_w' L_val‖ needs the norm "
                    + "over all ranks' gradients; run it as one process");
        }
        int nThreads = runOptions.threads(cl, cfg.threads());
        Dataset[] sets = DataChoice.trainAndVal(cl, cfg.dataset(), cfg.data(), cfg.resize(), cfg.trainImages(), cfg.crop(),
                cfg.valImages(), cfg.crop(), cfg.seed());
        Dataset train = sets[0], val = sets[1];
        Device dev = DeviceOption.resolve(cl, "search", Job.device(device), cl.getErr());
        if (dev == null) return 2;
        boolean graphs = DeviceOption.cudaGraphs(cudaGraphs, dev, "search", cl.getErr());
        if (graphs && cfg.archOrder() == 2) {
            throw new CommandLine.ParameterException(cl, "--arch-order 2 cannot run with --cuda-graphs: the step reads "
                    + "‖∇_w' L_val‖ on the host between its passes (ε = 0.01/‖·‖); run without --cuda-graphs");
        }
        Parallel.setThreads(nThreads);
        java.io.PrintStream console = Job.console();
        console.printf(Locale.ROOT, "search: %s, %d layers, B %d, F %d, crop %d, batch %d%s, %d epochs (architecture from %d%s), %d iterations, %d threads, %s%n",
                resume != null ? "resuming " + dir : "run " + dir, cfg.layers(), cfg.blocks(), cfg.filterMultiplier(), cfg.crop(), cfg.batch(),
                par.size() > 1 ? " (" + par.localBatch(cfg.batch()) + " per process × " + par.size() + " processes" + (par.syncBn() ? ", synchronised batch norm" : "") + ")" : "",
                cfg.epochs(), cfg.archStartEpoch(), cfg.archOrder() == 2 ? ", second order, ξ = "
                        + (cfg.unrolledLr() == null ? "the weight lr" : String.valueOf(cfg.unrolledLr())) : "",
                cfg.totalIterations(), nThreads, dev);
        SearchConfig config = cfg;
        Path runDir = dir;
        return Job.untilStopped("adl-search-stop", console, stop -> runLoop(config, runDir, train, val, console, stop, dev, graphs, par));
    }

    private int runLoop(SearchConfig cfg, Path dir, Dataset train, Dataset val, java.io.PrintStream console, GracefulStop stop, Device dev,
                        boolean graphs, adl.train.DataParallel par)
            throws java.io.IOException {
        long t0 = System.nanoTime();
        SearchLoop.Result r;
        try (ConsoleProgress progress = new ConsoleProgress(console, System.console() != null && System.console().isTerminal(), 10);
             SearchLoop loop = new SearchLoop(cfg, dir, train, val, progress, stop.signal(), dev, graphs)) {
            try {
                loop.distribute(par);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            r = loop.run();
        }
        if (r.stopped()) return Job.stopped(r.state().iteration());
        stop.disarm();
        console.printf(Locale.ROOT, "done in %.0f s. Decoded architecture (%s):%n%s", (System.nanoTime() - t0) / 1e9,
                dir.resolve(RunFiles.ARCHITECTURE), r.architecture().describeCell());
        console.println("path (level per layer): " + java.util.Arrays.toString(r.architecture().path()));
        return 0;
    }

    /**
     * The config of the run in {@code dir}, with the flags given beside --resume: more --epochs are
     * applied (and recorded by the loop in config.json), --[no-]recompute is applied, the
     * settings that change numbers are refused.
     */
    private SearchConfig resumed(CommandLine cl, Path dir) {
        RunFiles files = new RunFiles(dir);
        if (!Files.isDirectory(dir)) throw new CommandLine.ParameterException(cl, "--resume " + dir + ": no such directory");
        if (!Files.exists(files.file(RunFiles.CONFIG))) {
            throw new CommandLine.ParameterException(cl, "--resume " + dir + ": no " + RunFiles.CONFIG + " there (not a search run directory)");
        }
        SearchConfig cfg;
        try {
            cfg = files.readJson(RunFiles.CONFIG, SearchConfig.class);
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(cl, "--resume " + dir + ": " + e.getMessage());
        }
        ResumeFlags.refuseOthers(cl, dir, java.util.Set.of("--epochs", "--recompute"), "--epochs");
        // recomputing or storing gives the same bits (docs/01-tensors-and-autograd.md §8), so a resume may switch
        if (cl.getParseResult().hasMatchedOption("--recompute")) cfg = cfg.withRecompute(recompute);
        if (epochs != null && epochs != cfg.epochs()) {
            if (epochs < cfg.epochs()) {
                throw new CommandLine.ParameterException(cl, "--epochs " + epochs + " with --resume: the run has " + cfg.epochs() + " epochs in "
                        + dir.resolve(RunFiles.CONFIG) + "; a resume can only make it longer");
            }
            spec.commandLine().getErr().println("note: --epochs " + epochs + " extends the run from " + cfg.epochs() + " epochs; the learning-rate "
                    + "schedule changed, so the results differ from an uninterrupted run (recorded in " + RunFiles.CONFIG + ")");
            cfg = cfg.withEpochs(epochs);
        }
        return cfg;
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
            return new SearchConfig(name, dataOptions.data == null ? null : dataOptions.data.toAbsolutePath().toString(), dataOptions.scale(), "cpu",
                    or(layers, p.layers), or(blocks, p.blocks), or(filterMultiplier, p.filterMultiplier), or(crop, p.crop),
                    or(batch, p.batch), or(epochs, p.epochs), or(archStartEpoch, p.archStartEpoch), or(itersPerEpoch, 0),
                    or(lr, SearchPreset.LR), or(lrMin, SearchPreset.LR_MIN), or(momentum, SearchPreset.MOMENTUM),
                    or(weightDecay, SearchPreset.WEIGHT_DECAY), or(archLr, SearchPreset.ARCH_LR),
                    or(archWeightDecay, SearchPreset.ARCH_WEIGHT_DECAY),
                    archBetas != null ? archBetas[0] : SearchPreset.ARCH_BETA1, archBetas != null ? archBetas[1] : SearchPreset.ARCH_BETA2,
                    or(trainImages, realTrain != null ? realTrain.size() : p.trainImages), or(valImages, p.valImages), or(seed, 0L),
                    runOptions.configThreads(), runOptions.checkpointMinutes(), runOptions.keepCheckpoints())
                    .withRecompute(recompute).withArchOrder(or(archOrder, 1), unrolledLr);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

}
