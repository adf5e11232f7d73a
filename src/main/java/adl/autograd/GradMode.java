package adl.autograd;

/**
 * Whether ops record the graph, per thread. {@code try (var off = GradMode.off()) { ... }} runs
 * a block without recording (validation, the backward pass itself, optimizer updates).
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get(); }

    /** Turns recording off until the returned guard is closed (restores the previous state). */
    public static Guard off() {
        boolean before = ENABLED.get();
        ENABLED.set(Boolean.FALSE);
        return new Guard(before);
    }

    /** Turns recording on until the returned guard is closed (recomputation inside a backward rule: {@link Recompute}). */
    public static Guard on() {
        boolean before = ENABLED.get();
        ENABLED.set(Boolean.TRUE);
        return new Guard(before);
    }

    /** Restores the grad mode that was in force when it was made. */
    public static final class Guard implements AutoCloseable {
        private final boolean before;

        private Guard(boolean before) { this.before = before; }

        @Override public void close() { ENABLED.set(before); }
    }
}
