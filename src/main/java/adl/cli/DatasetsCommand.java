package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code adl datasets <subcommand>}: tools for the datasets on disk (see datasets/*.md). */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "Dataset tools: `check` decodes a dataset on disk and reports every problem (see datasets/).",
        subcommands = {DatasetsCheckCommand.class})
final class DatasetsCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
}
