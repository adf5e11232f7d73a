package adl.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The CPU thread count of a training command: {@code --threads} above the processors of the
 * machine is clamped to them with a one-line warning (more workers than cores only spin and slow
 * every step down), unless {@code --oversubscribe} asks for it.
 */
final class Threads {
    private Threads() {}

    static int resolve(CommandLine cmd, int asked, boolean oversubscribe, PrintWriter err) {
        if (asked < 1) throw new CommandLine.ParameterException(cmd, "--threads must be >= 1, got " + asked);
        int cores = Runtime.getRuntime().availableProcessors();
        if (asked <= cores || oversubscribe) return asked;
        err.println("warning: --threads " + asked + " is more than the " + cores + " processors here: using " + cores
                + " (--oversubscribe to use " + asked + " anyway)");
        err.flush();
        return cores;
    }
}
