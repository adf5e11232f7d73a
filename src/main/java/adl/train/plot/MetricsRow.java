package adl.train.plot;

/**
 * One line of the search metrics log, as the plots read it.
 *
 * @param epoch     0-based epoch the iteration belongs to
 * @param iteration global iteration count (x of every curve)
 * @param trainLoss loss of the weight step on a batch of split A
 * @param archLoss  loss of the architecture step on a batch of split B; NaN when no arch step ran
 * @param valLoss   validation loss; NaN unless this row closes an epoch
 * @param valMiou   validation mIoU; NaN unless this row closes an epoch
 * @param lr        weight learning rate used at this iteration
 * @param seconds   wall time since the run started
 */
public record MetricsRow(int epoch, long iteration, double trainLoss, double archLoss,
                         double valLoss, double valMiou, double lr, double seconds) {
}
