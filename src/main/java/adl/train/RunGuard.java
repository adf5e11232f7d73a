package adl.train;

import adl.nn.Module;
import adl.optim.Adam;
import adl.optim.SGD;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What the search and the retrain loop share about a run's checkpoints (docs/03-bilevel.md §6–7,
 * docs/07-guarantees.md): taking the run directory, continuing from the newest intact checkpoint,
 * and the one-line messages of a run that stops without saving, each naming the last good checkpoint.
 */
final class RunGuard {
    private final RunFiles files;
    /** Why counters cannot be a point of this run (null when they can). */
    private final Function<SearchState, String> mismatch;
    private final RunListener listener;
    /** The advice that ends a non-finite message, e.g. "Try a lower --lr." */
    private final String hint;

    RunGuard(RunFiles files, Function<SearchState, String> mismatch, RunListener listener, String hint) {
        this.files = files;
        this.mismatch = mismatch;
        this.listener = listener;
        this.hint = hint;
    }

    /** Takes the run directory's lock (then removes leftover temp files, saying which). */
    RunLock lock() throws IOException {
        RunLock lock = RunLock.acquire(files.dir());
        for (Path p : lock.removedTempFiles()) listener.message("removed " + p + " (left by an interrupted write)");
        return lock;
    }

    /**
     * The newest intact checkpoint of {@code all} (oldest first), loaded into the model and the
     * optimisers (either may be null); says which newer ones were skipped and why.
     */
    Checkpoint.Intact resume(List<Path> all, Module model, SGD sgd, Adam adam) {
        List<String> skipped = new ArrayList<>();
        Checkpoint.Intact found = Checkpoint.newestIntact(all, mismatch, skipped::add, listener::message);
        if (found == null) {
            throw new RunFailed("cannot resume " + files.dir() + ": none of its " + all.size() + " checkpoints is intact (" + String.join("; ", skipped) + ")");
        }
        for (String why : skipped) listener.message("skipped a checkpoint: " + why);
        try {
            found.apply(model, sgd, adam);
        } catch (IOException | RuntimeException e) {
            throw new RunFailed("cannot resume from " + found.file() + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** The device ran out of memory during iteration {@code iteration} (1-based). */
    RunFailed outOfMemory(RuntimeException e, long iteration) {
        Path last = lastGood();
        return new RunFailed(e.getMessage() + " (at iteration " + iteration + "); "
                + (last == null ? "no checkpoint was written yet." : "the last checkpoint, " + last + ", is intact."), e);
    }

    /** A non-finite loss: {@code what} ("weight loss is NaN"), {@code where} ("iteration 3 (epoch 0)"). */
    RunFailed nonFiniteLoss(String what, String where) {
        Path last = lastGood();
        return new RunFailed("the " + what + " at " + where + "; stopped without saving. "
                + (last == null ? "No checkpoint was written yet." : "The last good checkpoint is " + last + ".") + " " + hint);
    }

    /** Throws when a parameter of {@code model} is not finite after iteration {@code iteration}, before a checkpoint would save it. */
    void requireFinite(Module model, long iteration) {
        String bad = Checkpoint.firstNonFinite(model);
        if (bad == null) return;
        Path last = lastGood();
        throw new RunFailed(bad + " after iteration " + iteration + "; no checkpoint written ("
                + (last == null ? "none is intact yet" : "the last good one is " + last) + "). " + hint);
    }

    private Path lastGood() { return Checkpoint.newestIntactFile(files, mismatch); }
}
