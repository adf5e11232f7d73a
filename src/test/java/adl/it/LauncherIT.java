package adl.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher {@code ./adl} (README, Commands) passes the command's messages through: a usage
 * error and a run error reach the user's terminal as the jar prints them, with the jar's exit code.
 * Runs after {@code package}, so the launcher finds the jar fresh and does not build it; the Java
 * that runs these tests is the one the launcher uses ({@code ADL_JAVA}).
 */
class LauncherIT {
    private static Adl.Result adl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of("adl").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return Adl.command(cmd, Map.of("ADL_JAVA", Adl.JAVA.toString()), Duration.ofSeconds(120));
    }

    @Test void aUsageErrorIsPrintedOnStderrWithExitTwo() {
        Adl.Result r = adl("search", "--no-such-option");
        assertEquals(2, r.exit(), r.tail(10));
        assertTrue(r.err().contains("--no-such-option"), "stderr names the option:\n" + r.tail(10));
    }

    @Test void aRunErrorIsPrintedOnStderrAsOneLine() {
        Adl.Result r = adl("decode", "--run", "target/no-such-run-directory");
        assertTrue(r.exit() != 0, r.tail(10));
        assertTrue(r.err().contains("target/no-such-run-directory"), "stderr names the directory:\n" + r.tail(10));
        assertTrue(!r.err().contains("Exception"), "no exception class in the message:\n" + r.tail(10));
    }
}
