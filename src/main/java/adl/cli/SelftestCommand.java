package adl.cli;

import adl.backend.Backend;
import adl.backend.Parity;
import adl.backend.Device;
import adl.backend.cuda.CudaDevices;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code adl selftest --device cpu|cuda|cuda:N|auto}: the parity suite ({@link Parity}) of the device's
 * backend against the CPU, one line per check, then {@code selftest: passed=<n> failed=<n>} (and
 * {@code skipped=<n>} when a CUDA device lacks cuDNN or cuBLAS: those checks say why they did not
 * run). Exit 0 when none fails, 1 when any fails, 2 when the device cannot be tested (one line why).
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
        Device d;
        try {
            d = Device.parse(device, notice -> {
                err.println("selftest: " + notice);
                err.flush();
            });
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--device wants cpu or cuda (or cuda:N, auto), got '" + device + "'");
        }
        if (d.kind() == Device.Kind.CUDA) {
            // the hand-written kernels need only the driver; without cuDNN or cuBLAS their checks are skipped
            String reason = CudaDevices.deviceUnusableReason(d.index());
            if (reason != null) {
                err.println("selftest --device " + device + ": CUDA not available: " + reason);
                err.flush();
                return 2;
            }
            for (String missing : CudaDevices.missingLibraries()) {
                err.println("selftest: " + d + ": " + missing + " (the checks that need it are skipped)");
            }
            err.flush();
        }
        return run(d.backend(), out);
    }

    /**
     * Runs the suite against {@code target}, one line per check: its name is printed and flushed
     * before the check runs (a crash or hang mid-suite leaves the name in the log), the result after;
     * then the summary. Returns the exit code (0 all passed or skipped, 1 some failed).
     */
    static int run(Backend target, PrintWriter out) {
        int[] counts = new int[3]; // passed, failed, skipped
        Parity.run(target, new Parity.Listener() {
            @Override public void starting(String name) {
                out.print(String.format(Locale.ROOT, "%-48s ", name));
                out.flush();
            }

            @Override public void finished(Parity.Result r) {
                out.println(result(r));
                if (r.wasSkipped()) counts[2]++;
                else if (r.passed()) counts[0]++;
                else {
                    counts[1]++;
                    for (String m : r.firstMismatches()) out.println("    " + m);
                }
                out.flush();
            }
        });
        out.println("selftest: passed=" + counts[0] + " failed=" + counts[1] + (counts[2] > 0 ? " skipped=" + counts[2] : ""));
        out.flush();
        return counts[1] == 0 ? 0 : 1;
    }

    static String line(Parity.Result r) {
        return String.format(Locale.ROOT, "%-48s %s", r.name(), result(r));
    }

    /** What follows the name: worst error, tolerance and PASS/FAIL, or SKIP and why. */
    static String result(Parity.Result r) {
        if (r.wasSkipped()) return "SKIP (" + r.skipped() + ")";
        return String.format(Locale.ROOT, "worst=%.3g  tol=%.0e+%.0e·|ref|  %s", r.worstAbsError(), r.atol(), r.rtol(),
                r.passed() ? "PASS" : "FAIL");
    }
}
