package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code java -jar adl-engine.jar <command>}. */
@Command(name = "adl-engine", mixinStandardHelpOptions = true, version = "adl-engine 0.1.0",
        description = "Auto-DeepLab on a from-scratch Java tensor engine.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
