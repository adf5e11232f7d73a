package adl.nn;

/**
 * Leaves BatchNorm's running statistics alone for a block, on this thread:
 * {@code try (var f = FrozenRunningStats.freeze()) { net.loss(x, y); }}. Training-mode BN still
 * normalises with the batch statistics (the forward value and its gradient are unchanged); only
 * the side effect — running_mean, running_var and num_batches_tracked — is skipped. The
 * second-order architecture step runs three extra passes under it (docs/03-bilevel.md §9).
 */
public final class FrozenRunningStats implements AutoCloseable {
    private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final boolean before;

    private FrozenRunningStats(boolean before) { this.before = before; }

    /** Freezes the running statistics until the returned guard is closed (restores the previous state). */
    public static FrozenRunningStats freeze() {
        boolean before = ACTIVE.get();
        ACTIVE.set(Boolean.TRUE);
        return new FrozenRunningStats(before);
    }

    /** True while a {@link #freeze()} guard is open on this thread. */
    public static boolean active() { return ACTIVE.get(); }

    @Override public void close() { ACTIVE.set(before); }
}
