package adl.cli;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.cpu.Parallel;
import adl.data.Batch;
import adl.data.SyntheticDataset;
import adl.dist.Collectives;
import adl.memory.Scope;
import adl.nas.SuperNet;
import adl.nas.BilevelStep;
import adl.optim.SGD;
import adl.nas.retrain.FixedNetwork;
import adl.nas.retrain.Presets;
import adl.nn.Init;
import adl.tensor.DType;
import adl.tensor.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code adl bench allreduce}, run under {@code mpirun -np N}: the time and bandwidth of the
 * fixed-order all-reduce (docs/08-data-parallel.md) for the gradient sizes of the search (small and
 * paper presets, weights and α/β) and the retrain (auto-deeplab-s), next to the time of one search
 * weight step of the small preset on this rank's share of the batch — the numbers the question
 * "should the all-reduce overlap the backward pass?" needs. Rank 0 prints; never asserted in tests.
 */
@Command(name = "allreduce", mixinStandardHelpOptions = true,
        description = {"All-reduce time and bandwidth for the search's and retrain's gradient sizes, next to a search step's time.",
                "Run it under mpirun -np N (one process only measures the step)."})
final class BenchAllReduceCommand implements Callable<Integer> {
    @Option(names = "--repeats", description = "All-reduces timed per size (default ${DEFAULT-VALUE}; the first, untimed, warms up).")
    int repeats = 5;
    @Option(names = "--batch", description = "Global batch of the timed search step (default ${DEFAULT-VALUE}, the paper's).")
    int batch = 2;
    @Option(names = "--threads", description = "CPU threads per process (default: the cores divided by the processes on this node).")
    Integer threads;

    private record Case(String name, long elements) {}

    @Override
    public Integer call() {
        if (repeats < 1) throw new CommandLine.ParameterException(new CommandLine(this), "--repeats must be >= 1");
        Collectives c = Job.collectives();
        Parallel.setThreads(threads != null ? threads : Job.defaultThreads());
        if (batch % c.size() != 0) throw new CommandLine.ParameterException(new CommandLine(this), "--batch " + batch + " must divide evenly over " + c.size() + " processes");
        PrintStream out = Job.console();
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("batch-norm statistics (64 values)", 64));
        try (Scope s = Scope.open()) {
            for (int[] cfg : new int[][] {{4, 5, 4, 6}, {12, 5, 8, 19}}) {
                try (SuperNet net = new SuperNet(new Init(Device.CPU, DType.F32, 0), new SuperNet.Config(cfg[0], cfg[1], cfg[2], cfg[3]))) {
                    String preset = cfg[0] == 4 ? "small" : "paper";
                    cases.add(new Case("search " + preset + ": weight gradients", numel(net.weightParameters())));
                    cases.add(new Case("search " + preset + ": α, β gradients", numel(net.archParameters())));
                }
            }
            try (FixedNetwork net = new FixedNetwork(new Init(Device.CPU, DType.F32, 0), new FixedNetwork.Config(Presets.byName("auto-deeplab-s"), 20, 19))) {
                cases.add(new Case("retrain auto-deeplab-s: gradients", numel(net.parameters())));
            }
        }
        out.printf(Locale.ROOT, "all-reduce over %d process%s (%s), %d threads each%n", c.size(), c.size() == 1 ? "" : "es", c.describe(), Parallel.threads());
        out.printf(Locale.ROOT, "%-40s %12s %12s %12s%n", "gradients", "elements", "ms / call", "GB/s");
        for (Case k : cases) {
            double ms = c.size() == 1 ? Double.NaN : time(c, k.elements());
            double gbs = k.elements() * 4 / (ms / 1e3) / 1e9;
            out.printf(Locale.ROOT, "%-40s %,12d %12.3f %12.3f%n", k.name(), k.elements(), ms, gbs);
        }
        double step = stepSeconds(c.size());
        out.printf(Locale.ROOT, "search small preset, crop 64, one weight step on %d sample%s (this process's share of the batch %d, at least 2): %.3f s%n",
                stepSamples(c.size()), stepSamples(c.size()) == 1 ? "" : "s", batch, step);
        if (c.size() == 1) out.println("(one process: all-reduce times need mpirun -np 2 or more)");
        out.flush();
        return 0;
    }

    private static long numel(List<Tensor> ts) {
        long n = 0;
        for (Tensor t : ts) n += t.numel();
        return n;
    }

    /** Median milliseconds of one all-reduce of {@code elements} F32 values. */
    private double time(Collectives c, long elements) {
        double[] ms = new double[repeats];
        try (Scope s = Scope.open()) {
            Tensor t = Tensors.zeros(Device.CPU, DType.F32, Math.toIntExact(elements));
            c.allReduceSum(List.of(t));
            for (int i = 0; i < repeats; i++) {
                c.barrier();
                long t0 = System.nanoTime();
                c.allReduceSum(List.of(t));
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        java.util.Arrays.sort(ms);
        // every rank reports rank 0's median
        return c.allReduceSum(new double[] {c.rank() == 0 ? ms[repeats / 2] : 0})[0];
    }

    /** Samples of the timed step: this rank's share, at least 2 (batch norm of one sample's pooled image has one value). */
    private int stepSamples(int ranks) { return Math.max(2, batch / ranks); }

    /** Seconds of the second of two weight steps of the small preset on {@link #stepSamples} samples, in this process alone. */
    private double stepSeconds(int ranks) {
        int local = stepSamples(ranks);
        SyntheticDataset data = new SyntheticDataset("train", local, 64, 64, 0);
        try (Scope s = Scope.open(); SuperNet net = new SuperNet(new Init(Device.CPU, DType.F32, 0), new SuperNet.Config(4, 5, 4, data.numClasses()));
             BilevelStep<SGD> step = BilevelStep.weights(net, 0.025, 0.9, 3e-4)) {
            int[] idx = new int[local];
            for (int i = 0; i < local; i++) idx[i] = i;
            Batch b = Batch.of(data, idx, Device.CPU, 0, 0, false);
            double secs = 0;
            for (int i = 0; i < 2; i++) {
                long t0 = System.nanoTime();
                step.at(0.025).step(b.images(), b.labels());
                secs = (System.nanoTime() - t0) / 1e9;
            }
            return secs;
        }
    }
}
