package adl.optim;

/**
 * A learning rate per iteration t = 0, 1, 2, ... (the value for the step about to be taken).
 * The training loop calls {@code optimizer.setLr(schedule.lr(t))} before step t.
 */
@FunctionalInterface
public interface LrSchedule {
    double lr(long iteration);

    /** A constant learning rate. */
    static LrSchedule constant(double lr) { return t -> lr; }

    /**
     * This schedule multiplied by a linear warm-up factor that rises from {@code startFactor}
     * at t = 0 to 1 at t = warmupIters and stays 1 after (torch LambdaLR with
     * {@code start + (1 - start) * min(t, W) / W} times this schedule's factor).
     */
    default LrSchedule withWarmup(long warmupIters, double startFactor) {
        if (warmupIters < 0 || startFactor < 0 || startFactor > 1) {
            throw new IllegalArgumentException("warm-up of " + warmupIters + " iterations from factor " + startFactor + " (needs >= 0 and a factor in [0, 1])");
        }
        if (warmupIters == 0) return this;
        LrSchedule inner = this;
        return t -> {
            double f = startFactor + (1 - startFactor) * (double) Math.min(Math.max(t, 0), warmupIters) / warmupIters;
            return f * inner.lr(t);
        };
    }
}
