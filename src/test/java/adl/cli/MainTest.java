package adl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and messages of the command-line front (picocli's execute with captured output). */
class MainTest {
    static final List<String> BUILT = List.of("search", "decode", "retrain", "eval", "predict", "devices", "info", "selftest", "bench", "datasets");

    /** A command that always fails, to see what a user sees when an exception escapes. */
    @Command(name = "boom")
    static final class Boom implements Runnable {
        @Override public void run() { throw new IllegalStateException("the boom command went off"); }
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand("boom", new Boom());
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test void helpListsEveryCommandAndExitsZero() {
        Result r = run("--help");
        assertEquals(0, r.code());
        assertEquals("", r.err());
        for (String name : BUILT) {
            assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(name + " ")), name + " missing from --help:\n" + r.out());
        }
    }

    @Test void noArgumentsPrintsTheCommandListAndExitsNonZero() {
        Result r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Usage: adl"), r.err());
        for (String name : BUILT) assertTrue(r.err().lines().anyMatch(l -> l.strip().startsWith(name + " ")), name + " missing:\n" + r.err());
    }

    @Test void commandHelpWorks() {
        Result r = run("search", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("architecture search"), r.out());
    }

    @Test void escapingExceptionIsOneErrorLineAndExitOne() {
        Result r = run("boom");
        assertEquals(1, r.code());
        assertEquals(List.of("error: the boom command went off"), r.err().lines().toList());
    }

    @Test void debugShowsTheStackTraceBeforeOrAfterTheCommand() {
        for (String[] args : new String[][] {{"--debug", "boom"}, {"boom", "--debug"}}) {
            Result r = run(args);
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("error: the boom command went off"), r.err());
            assertTrue(r.err().contains("java.lang.IllegalStateException"), r.err());
            assertTrue(r.err().contains("\tat adl.cli.MainTest$Boom.run"), r.err());
        }
    }

    @Test void unknownCommandIsAUsageError() {
        Result r = run("no-such-command");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no-such-command"), r.err());
    }

    @Test void badBenchFlagIsAUsageErrorNotAStackTrace() {
        Result r = run("bench", "ops", "--crop", "seven");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("--crop wants 64, 321, both"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test void devicesListsTheCpuAndSaysWhyThereIsNoGpuAndExitsZero() {
        Result r = run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("CPU: "), r.out());
        assertTrue(r.out().contains("CUDA"), r.out());
    }

    @Test void messageNeverNamesAJavaClass() {
        assertEquals("internal error (null pointer); rerun with --debug for the details and report it", Main.message(new NullPointerException()));
        assertEquals("x", Main.message(new RuntimeException("x")));
        assertEquals("cannot read it (disk)", Main.message(new RuntimeException("cannot read it (java.io.IOException: disk)")));
        assertEquals("/tmp/x: already exists (a file where a folder or a new file is needed)",
                Main.message(new java.nio.file.FileAlreadyExistsException("/tmp/x")));
        assertEquals("/tmp/y: No space left on device", Main.message(new java.nio.file.FileSystemException("/tmp/y", null, "No space left on device")));
    }
}
