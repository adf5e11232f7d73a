package adl.optim;

/**
 * Cosine annealing per iteration (torch CosineAnnealingLR with eta_min, T_max = totalIters):
 * lr_t = lrMin + (lrMax - lrMin) · (1 + cos(π t / T)) / 2 for 0 <= t <= T, and lrMin after T
 * (torch would rise again; a schedule that ends is what the search loop wants).
 */
public record CosineSchedule(double lrMax, double lrMin, long totalIters) implements LrSchedule {
    public CosineSchedule {
        if (totalIters < 1 || lrMin < 0 || lrMax < lrMin) {
            throw new IllegalArgumentException("cosine schedule from " + lrMax + " to " + lrMin + " over " + totalIters + " iterations (needs T >= 1, 0 <= min <= max)");
        }
    }

    @Override
    public double lr(long t) {
        long c = Math.min(Math.max(t, 0), totalIters);
        return lrMin + (lrMax - lrMin) * (1 + Math.cos(Math.PI * c / totalIters)) / 2;
    }
}
