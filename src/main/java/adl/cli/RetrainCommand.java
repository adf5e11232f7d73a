package adl.cli;

import adl.backend.Device;
import adl.backend.cpu.Parallel;
import adl.data.Dataset;
import adl.data.SyntheticDataset;
import adl.nas.Architecture;
import adl.nas.retrain.FixedNetwork;
import adl.nn.Init;
import adl.tensor.DType;
import adl.train.RetrainConfig;
import adl.train.RetrainLoop;
import adl.train.RunFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static adl.cli.Job.or;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code adl retrain}: trains a found network from scratch (paper §5.2). With no arguments: the
 * paper's Auto-DeepLab cell and path at a CPU-sized width on the built-in synthetic data.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a found network (architecture.json, a search run, or a paper preset) from scratch.",
                "SGD momentum 0.9, poly learning rate (power 0.9), random scale 0.5-2, crop and flip.",
                "With no arguments: the paper's Auto-DeepLab network at a CPU-sized width on the synthetic data, in minutes.",
                "Writes a run directory: config.json, architecture.json, metrics.csv, the curves plot, checkpoints/, samples/ and report.html.",
                "Ctrl-C finishes the step, checkpoints and exits; --resume DIR continues exactly."})
final class RetrainCommand implements Callable<Integer> {
    /** Synthetic defaults: sized so the no-argument run finishes in minutes on two cores. */
    static final FixedNetwork.Widths SYNTHETIC_WIDTHS = new FixedNetwork.Widths(16, 32, 64, 16, 64);
    static final double SYNTHETIC_LR = 0.01;
    /** The paper's Cityscapes schedule. */
    static final int PAPER_ITERS = 500_000;
    static final int SYNTHETIC_F = 4, SYNTHETIC_CROP = 64, SYNTHETIC_ITERS = 1000, SYNTHETIC_TRAIN = 200, SYNTHETIC_VAL = 24;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", paramLabel = "FILE|PRESET|RUN_DIR",
            description = "architecture.json, a search run directory, or auto-deeplab-s|m|l. Default: ${DEFAULT-VALUE}.")
    String arch = "auto-deeplab-s";
    @Option(names = "--filter-multiplier", description = "F: C = F·2^level filters per block. Default: " + SYNTHETIC_F + " on the synthetic data; else the preset's (20/32/48), "
            + "20 for an architecture file.")
    Integer filterMultiplier;
    @Option(names = "--widths", split = ",", paramLabel = "STEM,STEM_OUT,ASPP,LOW,DECODER", hideParamSyntax = true,
            description = "Widths of the stem convs, ASPP, low-level projection and decoder. Default: the paper's 64,128,256,48,256; "
                    + "16,32,64,16,64 on the synthetic data.")
    int[] widths;
    @CommandLine.Mixin DataOptions dataOptions;
    @Option(names = "--classes", description = "Number of classes: a check, it must match the dataset (default: the dataset's; synthetic 6, Cityscapes 19, VOC 21, ADE20K 150).")
    Integer classes;
    @Option(names = "--crop", description = "Square training crop (default: synthetic " + SYNTHETIC_CROP + "; real data 769 on Cityscapes as the paper, 513 elsewhere).")
    Integer crop;
    @Option(names = "--image-size", description = "Side of the synthetic images (default: twice the crop, so that random scales down to 0.5 "
            + "still fill a crop); training crops are cut from them. Validation images are crop-sized: a network trained on small crops "
            + "sees its deepest levels at 2x2 and scores worst on larger inputs.")
    Integer imageSize;
    @Option(names = "--batch", description = "Global batch size, shared evenly by the processes of an mpirun/srun job (default: synthetic 4, real data 8).")
    Integer batch;
    @Option(names = "--iters", description = "Training iterations (default: synthetic " + SYNTHETIC_ITERS + "; real data the paper's " + PAPER_ITERS + ").")
    Integer iters;
    @Option(names = "--lr", description = "Initial learning rate of the poly schedule (default 0.05, the paper's; " + SYNTHETIC_LR
            + " on the synthetic data, where the CPU-sized network with batch 4 does better with it).")
    Double lr;
    @Option(names = "--momentum", description = "SGD momentum (default 0.9).")
    Double momentum;
    @Option(names = "--weight-decay", description = "SGD weight decay (default 4e-5, as the released model).")
    Double weightDecay;
    @Option(names = "--drop-path", description = "Scheduled drop-path: drop probability of the deepest cell at the end of training (default 0 = off).")
    Double dropPath;
    @Option(names = "--train-images", description = "Training images (synthetic only; default " + SYNTHETIC_TRAIN + ").")
    Integer trainImages;
    @Option(names = "--val-images", description = "Validation images scored at each evaluation (default: synthetic " + SYNTHETIC_VAL + ", real data 100).")
    Integer valImages;
    @Option(names = "--eval-every", description = "Validate, plot and checkpoint every this many iterations (default: synthetic 8 times per run, real data 5000).")
    Integer evalEvery;
    @Option(names = "--device", description = "auto, cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE}.")
    String device = "auto";
    @Option(names = "--seed", description = "Seed of the data order, augmentation, dropout and initialisation (default 0).")
    Long seed;
    @CommandLine.Mixin RunOptions runOptions;
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default runs/retrain-<date>-<time>).")
    Path out;
    @CommandLine.Mixin ResumeOption resumeOption;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        adl.train.DataParallel par = runOptions.start(cl);
        Path resume = resumeOption.dir;
        RetrainConfig cfg;
        Architecture architecture;
        Path dir;
        String why = null;
        if (resume != null) {
            dir = resume;
            RunFiles files = new RunFiles(dir);
            if (!Files.exists(files.file(RunFiles.CONFIG)) || !Files.exists(files.file(RunFiles.ARCHITECTURE))) {
                throw new CommandLine.ParameterException(cl, "--resume " + dir + ": no config.json and architecture.json there (not a retrain run directory)");
            }
            try {
                cfg = files.readJson(RunFiles.CONFIG, RetrainConfig.class);
                architecture = Architecture.read(files.file(RunFiles.ARCHITECTURE));
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--resume " + dir + ": " + e.getMessage());
            }
            ResumeFlags.refuseOthers(cl, dir, java.util.Set.of("--iters"), "--iters");
            if (iters != null && iters != cfg.iters()) {
                if (iters < cfg.iters()) {
                    throw new CommandLine.ParameterException(cl, "--iters " + iters + " with --resume: the run has " + cfg.iters() + " iterations in "
                            + files.file(RunFiles.CONFIG) + "; a resume can only make it longer");
                }
                cl.getErr().println("note: --iters " + iters + " extends the run from " + cfg.iters() + " iterations; the learning-rate schedule "
                        + "changed, so the results differ from an uninterrupted run (recorded in " + RunFiles.CONFIG + ")");
                cfg = cfg.withIters(iters);
            }
        } else {
            String name = DataChoice.name(cl, dataOptions.dataset);
            boolean synthetic = name.equals(DataChoice.SYNTHETIC);
            Architecture found = RunArchitecture.resolve(cl, arch);
            RunArchitecture.Width w = RunArchitecture.width(arch, found, filterMultiplier, synthetic);
            why = w.why();
            architecture = new Architecture(found.cell(), found.path(), w.f());
            dir = Job.newRunDir(cl, out, "retrain");
            Dataset realTrain = synthetic ? null : DataChoice.open(cl, name, dataOptions.data, "train", dataOptions.scale());
            cfg = resolve(name, w.f(), realTrain);
        }
        Job.checkBatch(cl, par, cfg.batch());
        int nThreads = runOptions.threads(cl, cfg.threads());
        Dataset[] sets = DataChoice.trainAndVal(cl, cfg.dataset(), cfg.data(), cfg.resize(), cfg.trainImages(), cfg.imageSize(),
                cfg.valImages(), cfg.crop(), cfg.seed());
        Dataset train = sets[0], val = sets[1];
        if (train.numClasses() != cfg.classes()) {
            throw new CommandLine.ParameterException(cl, "--classes " + cfg.classes() + ": " + train.name() + " has " + train.numClasses());
        }
        Device dev = DeviceOption.resolve(cl, "retrain", Job.device(device), cl.getErr());
        if (dev == null) return 2;
        Parallel.setThreads(nThreads);
        PrintStream console = Job.console();
        if (why != null) console.println(why);
        console.printf(Locale.ROOT, "retrain: %s, %s (F %d, path %s), crop %d, batch %d%s, %d iterations, %d threads, %s%n",
                resume != null ? "resuming " + dir : "run " + dir, cfg.arch(), cfg.filterMultiplier(), java.util.Arrays.toString(architecture.path()),
                cfg.crop(), cfg.batch(),
                par.size() > 1 ? " (" + par.localBatch(cfg.batch()) + " per process × " + par.size() + " processes" + (par.syncBn() ? ", synchronised batch norm" : "") + ")" : "",
                cfg.iters(), nThreads, dev);
        RetrainConfig config = cfg;
        Architecture arch = architecture;
        Path runDir = dir;
        return Job.untilStopped("adl-retrain-stop", console, stop -> run(config, arch, runDir, train, val, console, stop, dev, par));
    }

    private int run(RetrainConfig cfg, Architecture architecture, Path dir, Dataset train, Dataset val, PrintStream console, GracefulStop stop, Device dev,
                    adl.train.DataParallel par)
            throws java.io.IOException {
        long t0 = System.nanoTime();
        RetrainLoop.Result r;
        try (ConsoleProgress progress = new ConsoleProgress(console, System.console() != null && System.console().isTerminal(), 20, "retrain");
             FixedNetwork net = new FixedNetwork(new Init(dev, DType.F32, cfg.seed()), cfg.network(architecture))) {
            console.printf(Locale.ROOT, "network: %,d parameters%n", net.parameters().stream().mapToLong(t -> t.shape().numel()).sum());
            RetrainLoop loop = new RetrainLoop(cfg, dir, net, architecture, train, val, progress, stop.signal(), dev,
                    it -> net.setStep(cfg.seed(), it, (double) it / cfg.iters()));
            if (par.size() > 1) {
                loop.distribute(par);
                net.setShard(par.rank() * par.localBatch(cfg.batch()), cfg.batch());
            }
            r = loop.run();
        }
        if (r.stopped()) return Job.stopped(r.state().iteration());
        stop.disarm();
        console.printf(Locale.ROOT, "done in %.0f s: best validation mIoU %.4f. Evaluate with: adl eval --run %s%n",
                (System.nanoTime() - t0) / 1e9, r.state().bestMiou(), dir);
        return 0;
    }

    /**
     * Flags and defaults: on the synthetic data the CPU-sized run (F 4, small widths, crop 64, lr 0.01, 1000 iterations);
     * on a real dataset the paper's recipe (F of the preset, paper widths, crop 769 on Cityscapes / 513 elsewhere, lr 0.05,
     * 500,000 iterations, the whole training split, 100 validation centre crops).
     */
    private RetrainConfig resolve(String name, int f, Dataset realTrain) {
        boolean synthetic = realTrain == null;
        int n = or(iters, synthetic ? SYNTHETIC_ITERS : PAPER_ITERS);
        int c = or(crop, synthetic ? SYNTHETIC_CROP : DataChoice.paperCrop(name));
        int k = synthetic ? SyntheticDataset.CLASSES.size() : realTrain.numClasses();
        if (classes != null && classes != k) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--classes " + classes + ": the " + name + " data has " + k + " classes");
        }
        try {
            return new RetrainConfig(arch, f, widths(synthetic), k, name, dataOptions.data == null ? null : dataOptions.data.toAbsolutePath().toString(),
                    dataOptions.scale(), device, c, or(imageSize, 2 * c), or(batch, synthetic ? 4 : 8), n,
                    or(lr, synthetic ? SYNTHETIC_LR : 0.05), or(momentum, 0.9), or(weightDecay, 4e-5), or(dropPath, 0.0),
                    0.5, 2.0, or(trainImages, synthetic ? SYNTHETIC_TRAIN : realTrain.size()), or(valImages, synthetic ? SYNTHETIC_VAL : 100),
                    or(evalEvery, Math.max(1, synthetic ? n / 8 : 5000)),
                    or(seed, 0L), runOptions.configThreads(), runOptions.checkpointMinutes(), runOptions.keepCheckpoints());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private FixedNetwork.Widths widths(boolean synthetic) {
        if (widths == null) return synthetic ? SYNTHETIC_WIDTHS : FixedNetwork.Widths.PAPER;
        if (widths.length != 5) throw new CommandLine.ParameterException(spec.commandLine(), "--widths wants five numbers, e.g. 64,128,256,48,256");
        try {
            return new FixedNetwork.Widths(widths[0], widths[1], widths[2], widths[3], widths[4]);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--widths: " + e.getMessage());
        }
    }

}
