package adl.memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Keeps the Java heap of a training run within a fixed slack of what is alive between steps.
 *
 * <p>Why: the autograd graph of one step (about a million small objects — handles, nodes — at
 * the search's CPU sizes) lives for the whole step, so the collector promotes it to the old
 * generation, where it dies when the step ends. The serial collector that {@code ./adl} selects
 * (docs/performance.md) then grows the old generation instead of collecting it, until the heap
 * reaches {@code -Xmx} (¼ of the RAM by default): the process would grow by the graph's size
 * every step, to gigabytes over a long search. Called between steps (when the step's graph is
 * garbage), {@link #afterStep} runs one full collection whenever the heap holds more than
 * {@code slack} bytes beyond what the previous collection left alive, so the heap stays near the
 * live set (the pooled tensor arrays, weights, optimizer state) plus one step's objects.
 *
 * <p>Slack: {@code -Dadl.heapSlackMB=N} (default 32; 0 turns the guard off). A full collection of a
 * few hundred MB live takes a couple of hundred ms, against seconds per step on the CPU.
 */
public final class HeapGuard {
    /** The default slack in MB, see the class comment. */
    public static final long DEFAULT_SLACK_MB = 32;

    private final long slackBytes;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private long baseline = -1;
    private int collections;

    public HeapGuard(long slackBytes) {
        if (slackBytes < 0) throw new IllegalArgumentException("heap slack must be >= 0 bytes, got " + slackBytes);
        this.slackBytes = slackBytes;
    }

    /** The guard configured by {@code -Dadl.heapSlackMB} (default {@value #DEFAULT_SLACK_MB}). */
    public static HeapGuard fromSystemProperty() {
        String v = System.getProperty("adl.heapSlackMB");
        long mb = DEFAULT_SLACK_MB;
        if (v != null) {
            try {
                mb = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-Dadl.heapSlackMB must be a whole number of MB (0 = off), got '" + v + "'");
            }
        }
        return new HeapGuard(mb * 1024 * 1024);
    }

    /** Call between two steps, with nothing of the finished step still referenced. */
    public void afterStep() {
        if (slackBytes == 0) return;
        long used = memory.getHeapMemoryUsage().getUsed();
        if (baseline < 0) baseline = used; // the first step only sets the reference (its arrays are now pooled)
        if (used <= baseline + slackBytes) return;
        System.gc();
        collections++;
        baseline = memory.getHeapMemoryUsage().getUsed();
    }

    /** Full collections this guard has run. */
    public int collections() { return collections; }
}
