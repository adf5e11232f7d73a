package adl.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --run RUN_DIR} of the commands that use a retrained network (eval, predict); a picocli mixin. */
final class RetrainRunOption {
    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A retrain run directory.") Path dir;
}
