package adl.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Which data a training command reads ({@code --dataset}, {@code --data}, {@code --resize}); a picocli mixin of search and retrain. */
final class DataOptions {
    @Option(names = "--dataset", description = "synthetic, cityscapes, voc, ade20k or folder (datasets/*.md): its training split is trained on "
            + "(a search divides it into the halves A and B), its validation split scored on centre crops. Default: ${DEFAULT-VALUE}.")
    String dataset = "synthetic";
    @Option(names = "--data", paramLabel = "DIR", description = "Dataset folder (default: none; synthetic data needs none).")
    Path data;
    @Option(names = "--resize", description = "Scale real images as they are read (the paper searches on half-resolution Cityscapes: 0.5). Default 1.")
    Double resize;

    /** --resize, 1 where not given. */
    double scale() { return resize != null ? resize : 1.0; }
}
