package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code adl bench <suite>}: benchmark commands that print tables (tests never assert timings). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print tables (see docs/performance.md).",
        subcommands = {BenchOpsCommand.class, BenchSearchStepCommand.class, BenchDataCommand.class, BenchAllReduceCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
}
