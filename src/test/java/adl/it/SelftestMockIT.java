package adl.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code adl devices} and {@code adl selftest --device cuda} on the mock GPU (docs/05e-gpu-checks.md §2): every
 * parity case passes, and the CUDA suite has at least as many cases as the CPU's.
 */
class SelftestMockIT {
    private static final Pattern SUMMARY = Pattern.compile("(?m)^selftest: passed=(\\d+) failed=(\\d+)$");

    @Test void devicesListsTheMock() {
        Adl.Result r = Adl.run(MockGpu.env(null), Duration.ofSeconds(60), "devices");
        assertEquals(0, r.exit(), r.tail(20));
        assertTrue(r.out().contains("adl mock GPU (CPU)"), "devices names the mock device:\n" + r.tail(20));
    }

    @Test void everyParityCasePassesOnTheMockAndNoneIsMissing() {
        Adl.Result cpu = Adl.run(Map.of(), Duration.ofSeconds(120), "selftest", "--device", "cpu");
        Adl.Result cuda = Adl.run(MockGpu.env(null), Duration.ofSeconds(240), "selftest", "--device", "cuda");
        int[] c = summary(cpu), g = summary(cuda);
        assertEquals(0, cpu.exit(), cpu.tail(20));
        assertEquals(0, g[1], "failed cases on the mock:\n" + cuda.tail(60));
        assertEquals(0, cuda.exit(), cuda.tail(20));
        assertTrue(c[0] > 0, "the CPU selftest ran cases");
        assertTrue(g[0] >= c[0], "cuda passed=" + g[0] + " < cpu passed=" + c[0] + ":\n" + cuda.tail(20));
    }

    private static int[] summary(Adl.Result r) {
        Matcher m = SUMMARY.matcher(r.out());
        assertTrue(m.find(), "no 'selftest: passed=<n> failed=<n>' line:\n" + r.tail(30));
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
