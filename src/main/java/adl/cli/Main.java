package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/**
 * Entry point: {@code java -jar adl-engine.jar <command>} (or {@code ./adl <command>}).
 * Exit codes: 0 success, 1 an error while running (one line {@code error: <message>}; the stack
 * trace only with {@code --debug}), 2 bad usage.
 */
@Command(name = "adl", mixinStandardHelpOptions = true, version = "adl-engine 0.1.0",
        description = "Auto-DeepLab on a from-scratch Java tensor engine.")
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print the full stack trace when a command fails.")
    boolean debug;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /** The configured command line: the commands in the order they are used, and the one-line error handler. */
    public static CommandLine commandLine() {
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
        return cl;
    }

    /** Prints {@code error: <message>} (plus the stack trace under --debug) and returns exit code 1. */
    static int handleError(Exception ex, CommandLine failed, ParseResult parsed) {
        PrintWriter err = failed.getErr();
        err.println(failed.getColorScheme().errorText("error: " + message(ex)));
        if (debugRequested(parsed)) ex.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** The exception's own message, or its type when it carries none (NullPointerException...). */
    static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    /** True when --debug was given at any level (it is inherited by every subcommand). */
    private static boolean debugRequested(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
