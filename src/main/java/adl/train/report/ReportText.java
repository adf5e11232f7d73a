package adl.train.report;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Text the reports share, and their atomic write. */
final class ReportText {
    private ReportText() {}

    /** Why the first validation losses are so large (measured on the default search, README "search"). */
    static final String VAL_LOSS_SPIKE = "Why the first validation losses are so large: validation runs the network in eval mode, where batch norm "
            + "normalises with its running statistics. After a few dozen steps those still mix the initial values (mean 0, variance 1) "
            + "with statistics of weights that have since changed, so activations come out badly scaled and the loss explodes. "
            + "It is not the weights: on the default search's epoch-0 checkpoint the validation loss is 129 in eval mode and 0.96 "
            + "with batch statistics (train-mode batch norm), and the gap closes as the running statistics catch up. "
            + "The loss axis turns logarithmic when such a point is there, so that it does not flatten the other curves.";

    /** Writes {@code text} through a temporary file and a rename: a reader never sees half a page. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
