package adl.cli;

import adl.backend.Backend;
import adl.backend.Parity;
import adl.backend.cpu.CpuBackend;
import adl.backend.cuda.CudaAvailability;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code adl selftest --device cpu|cuda}: the parity suite ({@link Parity}) of the device's
 * backend against the CPU, one line per check, then {@code selftest: passed=<n> failed=<n>}.
 * Exit 0 when all pass, 1 when any fails, 2 when the device cannot be tested (one line why).
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Check the installation: every backend primitive against the CPU reference.")
final class SelftestCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--device", description = "cpu or cuda (default ${DEFAULT-VALUE}).") String device = "cpu";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        switch (device) {
            case "cpu" -> { return run(CpuBackend.INSTANCE, out); }
            case "cuda" -> {
                String first = CudaAvailability.describeAvailability().lines().findFirst().orElse("CUDA: not available");
                err.println("selftest --device cuda: " + (first.startsWith("CUDA: not available")
                        ? first.substring("CUDA: ".length()) : "the CUDA backend is not built yet (" + first + ")"));
                err.flush();
                return 2;
            }
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--device wants cpu or cuda, got " + device);
        }
    }

    /** Runs the suite against {@code target}, prints the report, returns the exit code (0 all passed, 1 not). */
    static int run(Backend target, PrintWriter out) {
        List<Parity.Result> results = Parity.run(target);
        int passed = 0, failed = 0;
        for (Parity.Result r : results) {
            out.println(line(r));
            if (r.passed()) {
                passed++;
            } else {
                failed++;
                for (String m : r.firstMismatches()) out.println("    " + m);
            }
        }
        out.println("selftest: passed=" + passed + " failed=" + failed);
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    static String line(Parity.Result r) {
        return String.format(Locale.ROOT, "%-48s worst=%.3g  tol=%.0e+%.0e·|ref|  %s", r.name(), r.worstAbsError(),
                r.atol(), r.rtol(), r.passed() ? "PASS" : "FAIL");
    }
}
