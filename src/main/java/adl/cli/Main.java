package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import adl.memory.HeapGuard;
import adl.train.IoErrors;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Entry point: {@code java -jar adl-engine.jar <command>} (or {@code ./adl <command>}).
 * Exit codes: 0 success, 1 an error while running (one line {@code error: <message>}; the stack
 * trace only with {@code --debug} or {@code ADL_DEBUG=1}), 2 bad usage (the message, then the
 * command's one-line usage) and a bare {@code adl} (the command list). docs/07-guarantees.md.
 */
@Command(name = "adl", mixinStandardHelpOptions = true, version = "adl-engine 0.1.0",
        description = "Auto-DeepLab on a from-scratch Java tensor engine.")
public final class Main implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print the full stack trace when a command fails.")
    boolean debug;

    /** A bare {@code adl}: the command list, and exit 2 (nothing was asked for). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** The configured command line: the commands in the order they are used, and the one-line error handler. */
    public static CommandLine commandLine() {
        BackendWiring.install();
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("search", new SearchCommand());
        cl.addSubcommand("decode", new DecodeCommand());
        cl.addSubcommand("retrain", new RetrainCommand());
        cl.addSubcommand("eval", new EvalCommand());
        cl.addSubcommand("predict", new PredictCommand());
        cl.addSubcommand("devices", new DevicesCommand());
        cl.addSubcommand("export", new ExportCommand());
        cl.addSubcommand("report", new ReportCommand());
        cl.addSubcommand("info", new InfoCommand());
        cl.addSubcommand("selftest", new SelftestCommand());
        cl.addSubcommand("bench", new BenchCommand());
        cl.addSubcommand("datasets", new DatasetsCommand());
        cl.addSubcommand("help", new CommandLine.HelpCommand());
        cl.setExecutionExceptionHandler(Main::handleError);
        cl.setParameterExceptionHandler((ex, args) -> {
            int code = handleUsageError(ex, args);
            Job.abortIfParallel(code); // a rank that refuses its arguments after the job started ends the job
            return code;
        });
        return cl;
    }

    /** A usage error: its message, then the command's one-line usage (not the full help). Exit 2. */
    static int handleUsageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = clean(ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            message += " (did you mean " + String.join(", ", u.getSuggestions()) + "?)";
        }
        err.println(cmd.getColorScheme().errorText(Job.prefix() + message));
        String name = cmd.getCommandSpec().qualifiedName();
        err.println("usage: " + name + (cmd.getSubcommands().isEmpty() ? " [OPTIONS]" : " COMMAND [OPTIONS]") + " (see " + name + " --help)");
        if (debugRequested(cmd.getParseResult())) ex.printStackTrace(err);
        err.flush();
        return 2;
    }

    /**
     * Prints {@code error: <message>} (plus the stack trace under --debug) and returns exit code 1.
     * In a multi-process job the message names the rank ({@code error: rank 1 of 2: …}) and the whole
     * job is ended (docs/08-data-parallel.md).
     */
    static int handleError(Exception ex, CommandLine failed, ParseResult parsed) {
        PrintWriter err = failed.getErr();
        Throwable oom = ex;
        while (oom != null && !(oom instanceof OutOfMemoryError)) oom = oom.getCause();
        String m = oom != null ? OutOfMemory.message(parsed.originalArgs().toArray(String[]::new), (OutOfMemoryError) oom) : message(ex);
        err.println(failed.getColorScheme().errorText("error: " + Job.prefix() + m));
        if (debugRequested(parsed)) ex.printStackTrace(err);
        err.flush();
        Job.abortIfParallel(1);
        return 1;
    }

    /**
     * What went wrong, in one line for the user: the exception's own message (a file-system error
     * names its file and reason), never a Java class name; an exception without a message is an
     * internal error, pointing to --debug.
     */
    static String message(Throwable ex) {
        Throwable e = ex;
        while ((e instanceof java.io.UncheckedIOException || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof java.nio.file.FileSystemException) return IoErrors.reason(e);
        if (e instanceof adl.data.DatasetException d) return clean(d.oneLine());
        String m = e.getMessage();
        if (m == null || m.isBlank() || e instanceof NullPointerException || e instanceof IndexOutOfBoundsException
                || e instanceof ClassCastException || e instanceof java.nio.BufferUnderflowException) {
            return "internal error (" + what(e) + "); rerun with --debug for the details and report it";
        }
        return clean(m.lines().findFirst().orElse(m));
    }

    /** A class name in words: "NullPointerException" → "null pointer". */
    private static String what(Throwable e) {
        String n = e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
        return n.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Drops Java class names that a message may quote ("java.io.IOException: x" → "x"). */
    static String clean(String m) {
        return m == null ? "" : m.replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ?", "");
    }

    /** True when --debug was given at any level (it is inherited by every subcommand), or ADL_DEBUG=1. */
    private static boolean debugRequested(ParseResult parsed) {
        if ("1".equals(System.getenv("ADL_DEBUG"))) return true;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    /** Runs {@code args} on {@code cl}; running out of Java heap is one error line too ({@link OutOfMemory}), exit 1. */
    public static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            PrintWriter err = cl.getErr();
            err.println("error: " + OutOfMemory.message(args, e));
            if ("1".equals(System.getenv("ADL_DEBUG")) || java.util.Arrays.asList(args).contains("--debug")) e.printStackTrace(err);
            err.flush();
            return 1;
        }
    }

    public static void main(String[] args) {
        // before anything is allocated: G1 (what a bare java -jar runs) keeps the heap near the live
        // set instead of 2-3x it; the settings and their measured effect: HeapGuard, docs/performance.md
        HeapGuard.tuneHeapSizing();
        int code = execute(commandLine(), args);
        Job.close();
        System.exit(code);
    }
}
