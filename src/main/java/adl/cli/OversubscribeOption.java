package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --oversubscribe} of the commands that take {@code --threads}; a picocli mixin. */
final class OversubscribeOption {
    @Option(names = "--oversubscribe", description = "Allow --threads above the number of processors (otherwise clamped to them with a warning).")
    boolean oversubscribe;

    /** {@code asked} threads, clamped to the processors unless --oversubscribe ({@link Threads#resolve}). */
    int threads(CommandLine cmd, int asked) { return Threads.resolve(cmd, asked, oversubscribe, cmd.getErr()); }
}
