package adl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `bench search-step --arch-order 2`: the iteration runs five forward passes instead of two (the
 * unrolled architecture step's four — virtual step on A, unrolled loss on B, L_A at w⁺ and w⁻ —
 * plus the weight step), counted through the profiler's convolution calls; timings are not asserted.
 */
class BenchSearchStepOrderTest {
    private static final Pattern CONV_FWD = Pattern.compile("profile: conv fwd\\s+[0-9.]+\\s+[0-9.]+\\s+([0-9]+)");

    private static String run(StringWriter err, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args), err.toString());
        return out.toString();
    }

    private static long convForwardCalls(String out) {
        Matcher m = CONV_FWD.matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    private static String bench(int order) {
        return run(new StringWriter(), "bench", "search-step", "--device", "cpu", "--crop", "16", "--batch", "2", "--layers", "2",
                "--filter-multiplier", "2", "--blocks", "2", "--iters", "1", "--warmup", "1", "--threads", "1", "--profile",
                "--arch-order", String.valueOf(order));
    }

    @Test void secondOrderRunsFiveForwardPassesPerIterationInsteadOfTwo() {
        String first = bench(1), second = bench(2);
        long c1 = convForwardCalls(first), c2 = convForwardCalls(second);
        assertEquals(0, c1 % 2, first);
        assertEquals(c1 / 2 * 5, c2, "conv forward calls per iteration: first order " + c1 + ", second order " + c2);
        assertTrue(second.contains("arch-step: order=2 median_ms="), second);
        assertTrue(first.contains("arch-step: order=1 median_ms="), first);
    }

    @Test void anOrderOtherThanOneOrTwoIsRefusedInOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("bench", "search-step", "--device", "cpu", "--arch-order", "3"));
        assertTrue(err.toString().startsWith("--arch-order must be 1 or 2, got 3"), err.toString());
    }
}
