package adl.train;

import adl.nas.Architecture;

/**
 * What a search or a retrain run reports as it goes; the CLI turns it into a progress bar or log
 * lines. A retrain run's "epoch" is the number of evaluations done, its architecture the one it trains.
 */
public interface RunListener {
    /** After every iteration. {@code archLoss} is NaN before the architecture start epoch (and always in a retrain run). */
    default void iteration(int epoch, long iteration, long totalIterations, double trainLoss, double archLoss, double lr) {}

    /** After an epoch's validation and decoding (a retrain run: after each evaluation). */
    default void epochEnd(int epoch, double valLoss, double valMiou, Architecture architecture) {}

    /** A one-line notice (checkpoint written, resumed, stopping...). */
    default void message(String line) {}
}
