package adl.cli;

import adl.backend.Device;
import adl.backend.cuda.CudaBackend;
import adl.backend.Tensors;
import adl.backend.cpu.ConvFlops;
import adl.backend.cpu.GemmPeak;
import adl.backend.cpu.Parallel;
import adl.backend.ProfilingBackend;
import adl.cli.bench.ProfileTable;
import adl.cli.bench.Timing;
import adl.memory.HeapGuard;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.nas.Bilevel;
import adl.nas.BilevelStep;
import adl.nas.SuperNet;
import adl.nas.UnrolledArchitect;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.nn.Init;
import adl.data.Batch;
import adl.train.SearchGraphs;
import adl.train.report.RunStats;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code adl bench search-step}: time one full search iteration (architecture step: α, β gradients
 * only, Adam — first order, or with {@code --arch-order 2} the unrolled second-order step; then
 * weight step: weight gradients only, SGD) of the supernet (docs/02-search-space.md) on random data with 19 classes. Result line:
 * {@code search-step: median_ms=<number> peak_rss_mb=<number>} (then one line of engine-tensor memory; on the CPU
 * one {@code gflops:} line, the step's convolution GFLOP/s next to the GEMM kernel's probed best);
 * {@code --profile} prints a per-op-family table (lines {@code profile: ...}) before it. Peer: scripts/search_step_torch.py.
 * With {@code --cuda-graphs} (CUDA only) the iteration is the search's own graph path
 * ({@link SearchGraphs}: weight step, then architecture step, one captured graph); the untimed
 * warm-up is raised to cover its eager warm-up and the capture, so every timed iteration is a replay.
 */
@Command(name = "search-step", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time one search iteration (architecture step + weight step) of the supernet on random data.")
final class BenchSearchStepCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--device", description = "auto, cpu or cuda (default ${DEFAULT-VALUE}).") String device = "auto";
    @Option(names = "--crop", description = "Square input size (default ${DEFAULT-VALUE}).") int crop = 64;
    @Option(names = "--batch", description = "Batch size (default ${DEFAULT-VALUE}).") int batch = 2;
    @Option(names = "--filter-multiplier", description = "F (default ${DEFAULT-VALUE}).") int filterMultiplier = 8;
    @Option(names = "--layers", description = "L (default ${DEFAULT-VALUE}).") int layers = 12;
    @Option(names = "--blocks", description = "B (default ${DEFAULT-VALUE}).") int blocks = 5;
    @Option(names = "--iters", description = "Timed iterations; the median is reported (default ${DEFAULT-VALUE}).") int iters = 5;
    @Option(names = "--warmup", description = "Untimed iterations first (default ${DEFAULT-VALUE}).") int warmup = 2;
    @Option(names = "--threads", description = "CPU threads (default: all cores).") Integer threads;
    @Option(names = "--seed", description = "Seed (default ${DEFAULT-VALUE}).") long seed = 0;
    @Option(names = "--recompute", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Recompute the MixedOp "
            + "branches in backward instead of storing them (default: less memory, one more forward of the cells, the same bits); "
            + "--no-recompute stores them.") boolean recompute = true;
    @Option(names = "--profile", description = "CPU only: after the timed iterations, print per op family the ms, %% and calls "
            + "per iteration (lines starting 'profile:', before the search-step line).") boolean profile;
    @Option(names = "--cuda-graphs", description = "Time replays of the captured iteration (CUDA only; ignored with a notice on the CPU). "
            + "Not yet verified on a GPU.") boolean cudaGraphs;
    @Option(names = "--arch-order", description = "1: first-order architecture step (default); 2: the unrolled second-order step "
            + "(virtual weight step on the iteration's A batch, ξ = --unrolled-lr; docs/03-bilevel.md §9).") int archOrder = 1;
    @Option(names = "--unrolled-lr", description = "ξ of the second-order step (default ${DEFAULT-VALUE}, the weight learning rate).")
    double unrolledLr = 0.025;

    static final int CLASSES = 19;

    private Device dev = Device.CPU;

    @Override
    public Integer call() {
        if (crop < 16 || batch < 2 || iters < 1 || warmup < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --crop >= 16, --batch >= 2, --iters >= 1, --warmup >= 0");
        }
        if (archOrder != 1 && archOrder != 2) throw new CommandLine.ParameterException(spec.commandLine(), "--arch-order must be 1 or 2, got " + archOrder);
        Device dev = DeviceOption.resolve(spec.commandLine(), "bench search-step", device, spec.commandLine().getErr());
        if (dev == null) return 2;
        this.dev = dev;
        boolean graphs = DeviceOption.cudaGraphs(cudaGraphs, dev, "bench search-step", spec.commandLine().getErr());
        if (graphs && archOrder == 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--arch-order 2 cannot run with --cuda-graphs: the step reads "
                    + "‖∇_w' L_val‖ on the host between its passes; run without --cuda-graphs");
        }
        int untimed = graphs ? Math.max(warmup, SearchGraphs.WARMUP + 1) : warmup;
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Parallel.setThreads(nThreads);
        PrintWriter out = spec.commandLine().getOut();
        try (SuperNet net = new SuperNet(new Init(dev, DType.F32, seed), new SuperNet.Config(layers, blocks, filterMultiplier, CLASSES))) {
            net.setRecompute(recompute);
            long weightScalars = 0;
            for (Tensor w : net.weightParameters()) weightScalars += w.numel();
            long archScalars = net.arch().alpha().numel() + net.arch().beta().numel();
            out.printf(Locale.ROOT, "adl-engine bench search-step: %s, threads=%d, crop=%d, batch=%d, F=%d, L=%d, B=%d%s, arch-order=%d%s, java %s%n",
                    dev, nThreads, crop, batch, filterMultiplier, layers, blocks, recompute ? ", recompute" : ", stored activations", archOrder,
                    archOrder == 2 ? String.format(Locale.ROOT, " (ξ=%g)", unrolledLr) : "", Runtime.version());
            out.printf(Locale.ROOT, "params: weights=%d arch=%d%n", weightScalars, archScalars);
            if (graphs) {
                out.printf(Locale.ROOT, "cuda graphs: %d eager iterations, 1 capture, then replays (%d untimed in all)%n", SearchGraphs.WARMUP, untimed);
            }
            out.flush();
            try (Bilevel bilevel = new Bilevel(net, BilevelStep.weights(net, 0.025, 0.9, 3e-4), BilevelStep.architecture(net, 3e-3, 0.9, 0.999, 1e-3), 1);
                 SearchGraphs captured = graphs ? new SearchGraphs(dev, net, bilevel) : null) {
                SplittableRandom rng = new SplittableRandom(seed);
                BilevelStep<SGD> sgd = bilevel.weights();
                BilevelStep<Adam> architect = bilevel.architecture();
                UnrolledArchitect unrolled = archOrder == 2 ? new UnrolledArchitect(net, architect, sgd.optimizer()) : null;
                java.util.List<Double> archMillis = new java.util.ArrayList<>();
                HeapGuard heap = HeapGuard.fromSystemProperty();
                // the heap guard runs inside the timed region: its collections are part of the iteration's cost
                Runnable step = graphs ? () -> {
                    graphIteration(captured, rng);
                    heap.afterStep();
                } : () -> iteration(net, sgd, architect, unrolled, rng, heap, archMillis);
                heap.beforeFirstStep();
                for (int i = 0; i < untimed; i++) step.run();
                archMillis.clear();
                ProfilingBackend profiler = null;
                if (profile && dev.kind() == Device.Kind.CPU) {
                    profiler = Device.profileCpu();
                } else if (profile) {
                    spec.commandLine().getErr().println("bench search-step: --profile times the CPU backend only; ignored on " + dev);
                }
                double ms;
                long flops0 = ConvFlops.total();
                long t0 = System.nanoTime();
                try {
                    ms = Timing.medianMillis(0, iters, step);
                } finally {
                    if (profiler != null) Device.unprofileCpu();
                }
                double convFlops = (double) (ConvFlops.total() - flops0) / iters;
                if (profiler != null) ProfileTable.print(out, profiler, iters, System.nanoTime() - t0);
                String deviceMemory = dev.backend() instanceof CudaBackend cuda
                        ? String.format(Locale.ROOT, " peak_device_mb=%.1f", cuda.peakDeviceBytes() / 1e6) : "";
                out.printf(Locale.ROOT, "search-step: median_ms=%.1f peak_rss_mb=%.1f%s%n", ms, RunStats.peakRssMegabytes(), deviceMemory);
                out.printf(Locale.ROOT, "(engine tensors: peak %.1f MB live; %d full heap collections by the heap guard)%n",
                        MemoryStats.peakBytes() / 1e6, heap.collections());
                if (dev.kind() == Device.Kind.CPU) {
                    printGflops(out, convFlops, ms, nThreads);
                    long[] c = adl.backend.cpu.CpuStorage.residencyCounters();
                    out.printf(Locale.ROOT, "(cpu heap cache: %d spills, %d restores, %.1f MB spilled in all; off-heap peak %.1f MB)%n",
                            c[0], c[1], c[2] / 1e6, c[5] / 1e6);
                }
                if (!archMillis.isEmpty()) {
                    out.printf(Locale.ROOT, "arch-step: order=%d median_ms=%.1f (of the iteration above)%n", archOrder,
                            Timing.median(archMillis.stream().mapToDouble(Double::doubleValue).toArray()));
                }
            }
        }
        out.flush();
        return 0;
    }

    /**
     * The step's convolution GFLOP/s (the CPU backend's counted FLOPs, {@link ConvFlops}, per timed
     * iteration over the median iteration time) next to a short probe of the GEMM kernel's best on
     * the same threads ({@link GemmPeak}, about 0.3 s, after the timing): the distance to the
     * machine's floor for compute (docs/performance.md).
     */
    private static void printGflops(PrintWriter out, double convFlops, double medianMs, int threads) {
        double achieved = convFlops / (medianMs / 1e3) / 1e9, peak = GemmPeak.gflops(300);
        out.printf(Locale.ROOT, "gflops: conv_gflop_per_iter=%.2f achieved=%.2f gemm_peak=%.2f (threads=%d) fraction=%.3f%n",
                convFlops / 1e9, achieved, peak, threads, achieved / peak);
    }

    /**
     * Architecture step, then weight step, each in its own scope with the heap guard after it (as the
     * search loop does); the architecture step's wall time goes to {@code archMillis}. Second order:
     * the A batch is made first and used by both steps, as in the search loop.
     */
    private void iteration(SuperNet net, BilevelStep<SGD> weights, BilevelStep<Adam> architect, UnrolledArchitect unrolled, SplittableRandom rng,
                           HeapGuard heap, java.util.List<Double> archMillis) {
        try (Scope batchA = Scope.open()) {
            Tensor xA = images(rng), yA = labels(rng);
            try (Scope s = Scope.open()) {
                Tensor xB = images(rng), yB = labels(rng);
                long t0 = System.nanoTime();
                if (unrolled == null) architect.step(xB, yB);
                else unrolled.step(xA, yA, xB, yB, unrolledLr);
                archMillis.add((System.nanoTime() - t0) / 1e6);
            }
            heap.afterStep();
            try (Scope s = Scope.open()) {
                weights.at(0.025).step(xA, yA);
            }
            heap.afterStep();
        }
    }

    /** The search's graph iteration on random host batches (weight step, then architecture step). */
    private void graphIteration(SearchGraphs captured, SplittableRandom rng) {
        try (Scope s = Scope.open()) {
            Batch a = new Batch(hostImages(rng), hostLabels(rng)), b = new Batch(hostImages(rng), hostLabels(rng));
            captured.iteration(a, b, 0.025);
        }
    }

    private Tensor hostImages(SplittableRandom rng) {
        return Tensors.randn(Device.CPU, DType.F32, Shape.of(batch, 3, crop, crop), rng.nextLong(), 0, 1);
    }

    private Tensor hostLabels(SplittableRandom rng) {
        int[] l = new int[batch * crop * crop];
        for (int i = 0; i < l.length; i++) l[i] = rng.nextInt(CLASSES);
        return Tensors.ofInts(Device.CPU, Shape.of(batch, crop, crop), l);
    }

    private Tensor images(SplittableRandom rng) {
        return Tensors.randn(dev, DType.F32, Shape.of(batch, 3, crop, crop), rng.nextLong(), 0, 1);
    }

    private Tensor labels(SplittableRandom rng) {
        int[] l = new int[batch * crop * crop];
        for (int i = 0; i < l.length; i++) l[i] = rng.nextInt(CLASSES);
        return Tensors.ofInts(dev, Shape.of(batch, crop, crop), l);
    }
}
