package adl.cli;

import adl.train.RunFiles;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.Set;

/**
 * Flags given with {@code --resume}: those that cannot change a run's numbers apply (threads,
 * device, image limit...); the length of the run may grow (the caller handles it); every other
 * setting comes from the run's config.json and is refused with a line saying so, instead of being
 * ignored (docs/07-guarantees.md).
 */
final class ResumeFlags {
    /** Options that never change the numbers of a run. */
    static final Set<String> SAFE = Set.of("--resume", "--threads", "--oversubscribe", "--device", "--cuda-graphs", "--debug",
            "--max-image-pixels", "--help", "--version");

    private ResumeFlags() {}

    /** Refuses the first matched option that is neither {@link #SAFE} nor in {@code handled}. */
    static void refuseOthers(CommandLine cmd, Path dir, Set<String> handled, String grow) {
        for (OptionSpec o : cmd.getParseResult().matchedOptions()) {
            String n = o.longestName();
            if (SAFE.contains(n) || handled.contains(n)) continue;
            throw new CommandLine.ParameterException(cmd, n + " cannot be given with --resume: the run's settings come from "
                    + dir.resolve(RunFiles.CONFIG) + " (only a longer " + grow + " can be asked for; start a new run to change the others)");
        }
    }
}
