package adl.cli;

import adl.autograd.Autograd;
import adl.autograd.ConvOps;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.cpu.Parallel;
import adl.cli.bench.ConvCase;
import adl.cli.bench.OpsTable;
import adl.cli.bench.Timing;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code adl bench ops}: forward and forward+backward time of the search supernet's convolutions
 * (depthwise 3×3 / 5×5, dilated depthwise 3×3 / 5×5, pointwise 1×1) at the widths and sizes of
 * levels 0..3, through the autograd op {@link ConvOps#conv2d}, F32 on the CPU. The PyTorch peer
 * scripts/bench_ops_torch.py measures the same cases the same way.
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = "Time the search's convolutions (forward, forward+backward) on the CPU.")
final class BenchOpsCommand implements Runnable {
    /** The op under test: {@link ConvOps#conv2d}, or a stand-in when a test checks the harness. */
    interface Conv {
        Tensor apply(Tensor x, Tensor w, Tensor bias, ConvParams p);
    }

    private final Conv conv;

    BenchOpsCommand() { this(ConvOps::conv2d); }

    BenchOpsCommand(Conv conv) { this.conv = conv; }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--threads", description = "Worker threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--warmup", description = "Untimed repetitions per case (default: ${DEFAULT-VALUE}).")
    int warmup = 20;

    @Option(names = "--iters", description = "Timed repetitions per case; the median is reported (default: ${DEFAULT-VALUE}).")
    int iters = 30;

    @Option(names = "--crop", description = "Crop size: 64, 321, or both (default: ${DEFAULT-VALUE}).")
    String crop = "both";

    @Option(names = "--batch", description = "Batch size (default: ${DEFAULT-VALUE}, the search's).")
    int batch = 2;

    @Override
    public void run() {
        List<Integer> crops;
        try {
            crops = parseCrops(crop);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (threads < 1 || warmup < 0 || iters < 1 || batch < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "need --threads >= 1, --warmup >= 0, --iters >= 1, --batch >= 1");
        }
        Parallel.setThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("adl-engine bench ops: f32, cpu, threads=%d, warmup=%d, iters=%d, batch=%d, java %s%n",
                threads, warmup, iters, batch, Runtime.version());
        // One untimed pass over every case first, so the JIT has compiled every kernel variant
        // before any case is timed (otherwise the first rows pay for compilation).
        if (warmup > 0) {
            for (int c : crops) for (ConvCase cc : ConvCase.forCrops(List.of(c), batch)) measure(cc, Math.min(warmup, 5), 1);
        }
        for (int c : crops) {
            out.printf("%n### crop %dx%d%n%n%s%n", c, c, OpsTable.header());
            for (ConvCase cc : ConvCase.forCrops(List.of(c), batch)) {
                double[] ms = measure(cc, warmup, iters);
                out.println(OpsTable.row(cc, ms[0], ms[1]));
                out.flush();
            }
        }
    }

    /** {median forward ms, median forward+backward ms}; each repetition runs inside its own Scope. */
    @SuppressWarnings("try") // the scopes are used for their close() only
    private double[] measure(ConvCase cc, int warmup, int iters) {
        try (Scope caseScope = Scope.open()) {
            Tensor x = Tensors.randn(Device.CPU, DType.F32, Shape.of(cc.inputDims()), 1, 0, 1);
            Tensor w = Tensors.randn(Device.CPU, DType.F32, Shape.of(cc.weightDims()), 2, 0, 0.1);
            Tensor g = Tensors.full(Device.CPU, DType.F32, Shape.of(cc.n(), cc.c(), cc.outSize(), cc.outSize()), 1);
            double fwd = Timing.medianMillis(warmup, iters, () -> {
                try (Scope rep = Scope.open()) {
                    conv.apply(x, w, null, cc.params());
                }
            });
            x.requiresGrad(true);
            w.requiresGrad(true);
            double fwdBwd = Timing.medianMillis(warmup, iters, () -> {
                try (Scope rep = Scope.open()) {
                    Tensor y = conv.apply(x, w, null, cc.params());
                    Autograd.backward(y, g, null);
                }
                clearGrad(x);
                clearGrad(w);
            });
            return new double[] {fwd, fwdBwd};
        }
    }

    private static void clearGrad(Tensor t) {
        if (t.grad() != null) {
            t.grad().close();
            t.setGrad(null);
        }
    }

    /** "both" → [64, 321]; otherwise one or more comma-separated positive crop sizes. */
    static List<Integer> parseCrops(String s) {
        if (s.equals("both")) return List.of(64, 321);
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            try {
                int v = Integer.parseInt(part.strip());
                if (v < 8) throw new NumberFormatException();
                out.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--crop wants 64, 321, both or a list of sizes >= 8, got '" + s + "'");
            }
        }
        return out;
    }
}
