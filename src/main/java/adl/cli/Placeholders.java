package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Commands that are planned but not built yet. Each one shows in --help with one line and, when
 * run, says so on stderr in one line and exits with code 2.
 */
final class Placeholders {
    /** Exit code of a command that is not implemented yet (same as a usage error). */
    static final int NOT_IMPLEMENTED = 2;

    private record Planned(String name, String description) {}

    private static final List<Planned> PLANNED = List.of(
            new Planned("retrain", "Train the decoded network from scratch."),
            new Planned("eval", "Evaluate a trained network (mIoU) on a dataset split."),
            new Planned("predict", "Write predicted masks as colour PNGs."));

    private Placeholders() {}

    /** Adds every planned command to {@code cl}, in the order they are used. */
    static void addTo(CommandLine cl) {
        for (Planned p : PLANNED) {
            NotYet body = new NotYet(p);
            CommandSpec spec = CommandSpec.wrapWithoutInspection(body);
            spec.name(p.name());
            spec.usageMessage().description(p.description());
            spec.mixinStandardHelpOptions(true);
            body.commandLine = new CommandLine(spec);
            cl.addSubcommand(p.name(), body.commandLine);
        }
    }

    /** What a planned command does today: one line on stderr, exit code 2. */
    private static final class NotYet implements Callable<Integer> {
        private final Planned planned;
        private CommandLine commandLine;

        NotYet(Planned planned) { this.planned = planned; }

        @Override
        public Integer call() {
            PrintWriter err = commandLine.getErr();
            err.println(planned.name() + ": not implemented yet (see the project's issues)");
            err.flush();
            return NOT_IMPLEMENTED;
        }
    }
}
