package adl.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --resume DIR} of {@code search} and {@code retrain} (docs/07-guarantees.md); a picocli mixin. */
final class ResumeOption {
    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR, with the settings of its config.json, from its newest intact checkpoint: "
            + "only a longer run (--epochs of a search, --iters of a retrain) and --threads, --device, --max-image-pixels may be given with it. Default: a new run.")
    Path dir;
}
