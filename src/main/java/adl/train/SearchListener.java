package adl.train;

import adl.nas.Architecture;

/** What a search reports as it goes; the CLI turns it into a progress bar or log lines. */
public interface SearchListener {
    /** After every iteration. {@code archLoss} is NaN before the architecture start epoch. */
    default void iteration(int epoch, long iteration, long totalIterations, double trainLoss, double archLoss, double lr) {}

    /** After an epoch's validation and decoding. */
    default void epochEnd(int epoch, double valLoss, double valMiou, Architecture architecture) {}

    /** A one-line notice (checkpoint written, resumed, stopping...). */
    default void message(String line) {}
}
