package adl.train;

/**
 * Where a search stands, saved with every checkpoint: the next iteration to run is
 * {@code iterInEpoch} of {@code epoch} (iterInEpoch == iterations per epoch: the epoch's
 * iterations are done, its validation is not); {@code iteration} iterations and
 * {@code archSteps} architecture steps are done.
 */
public record SearchState(int epoch, int iterInEpoch, long iteration, long archSteps, double bestMiou, double seconds) {
    public static SearchState start() { return new SearchState(0, 0, 0, 0, Double.NEGATIVE_INFINITY, 0); }
}
