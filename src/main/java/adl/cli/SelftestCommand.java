package adl.cli;

import adl.backend.Backend;
import adl.backend.Parity;
import adl.backend.Device;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code adl selftest --device cpu|cuda|cuda:N|auto}: the parity suite ({@link Parity}) of the device's
 * backend against the CPU, one line per check, then {@code selftest: passed=<n> failed=<n>}.
 * Exit 0 when all pass, 1 when any fails, 2 when the device cannot be tested (one line why).
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Check the installation: every backend primitive against the CPU reference.")
final class SelftestCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--device", description = "cpu, cuda, cuda:N or auto (default ${DEFAULT-VALUE}).") String device = "cpu";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Device d = DeviceOption.resolve(spec.commandLine(), "selftest", device, err);
        if (d == null) return 2;
        return run(d.backend(), out);
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
