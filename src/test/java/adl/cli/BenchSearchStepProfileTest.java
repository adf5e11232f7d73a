package adl.cli;

import adl.backend.Device;
import adl.backend.ProfilingBackend;
import adl.backend.cpu.CpuBackend;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench search-step --profile`: one row per op family, totals that add up; timings are not asserted. */
class BenchSearchStepProfileTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static final Pattern ROW = Pattern.compile("profile: (.+?)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9]+|-)");

    @Test void profilePrintsEveryFamilyBeforeTheResultLineAndAddsUp() {
        assertEquals(0, run("bench", "search-step", "--device", "cpu", "--crop", "16", "--batch", "2", "--layers", "2",
                "--filter-multiplier", "2", "--blocks", "2", "--iters", "2", "--warmup", "1", "--threads", "1", "--profile"), err.toString());
        List<String> lines = out.toString().strip().lines().toList();
        List<String> rows = lines.stream().filter(l -> l.startsWith("profile:") && !l.contains("ms/iter")).toList();
        // every family, then "outside backend primitives", then "total"
        assertEquals(ProfilingBackend.Family.values().length + 2, rows.size(), out.toString());
        double sum = 0, total = Double.NaN;
        long calls = 0;
        for (int i = 0; i < rows.size(); i++) {
            Matcher m = ROW.matcher(rows.get(i));
            assertTrue(m.matches(), rows.get(i));
            String label = m.group(1).strip();
            if (i < ProfilingBackend.Family.values().length) {
                assertEquals(ProfilingBackend.Family.values()[i].label, label);
                calls += Long.parseLong(m.group(4));
            }
            if (label.equals("total")) {
                total = Double.parseDouble(m.group(2));
                assertEquals(calls, Long.parseLong(m.group(4)), "total calls = sum of the families' calls");
                assertEquals(100.0, Double.parseDouble(m.group(3)), 1e-9);
            } else {
                sum += Double.parseDouble(m.group(2));
            }
        }
        assertEquals(total, sum, 0.1 * rows.size(), "families + outside = total (rounded to 0.1 ms each)");
        assertTrue(calls > 0 && rowCalls(rows, "conv fwd") > 0 && rowCalls(rows, "conv bwd") > 0
                && rowCalls(rows, "optimizer") > 0 && rowCalls(rows, "weighted sum") > 0, out.toString());
        // the result line keeps its format and comes after the profile
        int result = -1, lastProfile = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("search-step: ")) result = i;
            if (lines.get(i).startsWith("profile:")) lastProfile = i;
        }
        assertTrue(result > lastProfile && lines.get(result).matches("search-step: median_ms=[0-9.]+ peak_rss_mb=[0-9.]+"), out.toString());
        // the GFLOP/s line: the step's counted convolution work against the probed GEMM rate (values not asserted)
        String gflops = lines.stream().filter(l -> l.startsWith("gflops: ")).findFirst().orElseThrow(() -> new AssertionError(out.toString()));
        Matcher g = Pattern.compile("gflops: conv_gflop_per_iter=([0-9.]+) achieved=([0-9.]+) gemm_peak=([0-9.]+) \\(threads=1\\) fraction=([0-9.]+)")
                .matcher(gflops);
        assertTrue(g.matches(), gflops);
        assertTrue(Double.parseDouble(g.group(1)) > 0 && Double.parseDouble(g.group(3)) > 0, gflops);
        assertSame(CpuBackend.INSTANCE, Device.CPU.backend(), "the profiler is removed after the run");
    }

    @Test void withoutTheFlagThereIsNoProfile() {
        assertEquals(0, run("bench", "search-step", "--device", "cpu", "--crop", "16", "--batch", "2", "--layers", "1",
                "--filter-multiplier", "2", "--blocks", "1", "--iters", "1", "--warmup", "0", "--threads", "1"), err.toString());
        assertTrue(out.toString().lines().noneMatch(l -> l.startsWith("profile:")), out.toString());
    }

    @Test void profilerCountsCallsOfTheRightFamily() {
        ProfilingBackend p = Device.profileCpu();
        try {
            Tensor t = adl.backend.Tensors.zeros(Device.CPU, adl.tensor.DType.F32, 3);
            t.close();
        } finally {
            Device.unprofileCpu();
        }
        assertEquals(1, p.calls(ProfilingBackend.Family.ALLOCATE));
        assertTrue(p.calls(ProfilingBackend.Family.COPY_FILL) >= 1);
        assertEquals(0, p.calls(ProfilingBackend.Family.CONV_FWD));
    }

    private static long rowCalls(List<String> rows, String label) {
        for (String r : rows) {
            Matcher m = ROW.matcher(r);
            if (m.matches() && m.group(1).strip().equals(label)) return Long.parseLong(m.group(4));
        }
        throw new AssertionError("no row " + label);
    }
}
