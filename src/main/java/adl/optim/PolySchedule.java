package adl.optim;

/**
 * Polynomial decay (DeepLab's "poly" policy; torch LambdaLR with (1 - t/T)^power):
 * lr_t = base · (1 - t/T)^power for 0 <= t <= T, 0 after. DeepLab uses power 0.9.
 */
public record PolySchedule(double base, long totalIters, double power) implements LrSchedule {
    public PolySchedule {
        if (totalIters < 1 || base < 0 || power <= 0) {
            throw new IllegalArgumentException("poly schedule base " + base + ", T " + totalIters + ", power " + power + " (needs T >= 1, base >= 0, power > 0)");
        }
    }

    /** Power 0.9. */
    public PolySchedule(double base, long totalIters) { this(base, totalIters, 0.9); }

    @Override
    public double lr(long t) {
        long c = Math.min(Math.max(t, 0), totalIters);
        return base * Math.pow(1 - (double) c / totalIters, power);
    }
}
