package adl.memory;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Keeps the Java heap of a training run within a fixed slack of what is alive between steps.
 *
 * <p>Why: the autograd graph of one step (about a million small objects — handles, nodes — at
 * the search's CPU sizes) lives for the whole step, so the collector promotes it to the old
 * generation, where it dies when the step ends. The serial collector that {@code ./adl} selects
 * (docs/performance.md) then grows the old generation instead of collecting it, until the heap
 * reaches {@code -Xmx} (¼ of the RAM by default): the process would grow by the graph's size
 * every step, to gigabytes over a long search. Called between steps (when the step's graph is
 * garbage), {@link #afterStep} runs one full collection when the old generation holds more than
 * {@code slack} bytes beyond what the previous collection left in it, so the heap stays near the
 * live set (the pooled tensor arrays, weights, optimizer state) plus one step's objects. It reads
 * the old generation, not the whole heap: the young generation's garbage is the young
 * collections' to take (the whole heap at the end of a step is mostly that garbage, and counting
 * it ran a full collection, 60-70 ms, after almost every step).
 *
 * <p>It also collects when the committed heap has grown by more than a third (at least 4 × slack)
 * beyond what the last full collection left: G1, with the heap kept tight (below), counts its
 * frequent young collections as too much time and now and then grows the heap by hundreds of MB
 * at once, the young generation then fills the new space and the process's RSS follows (a
 * 20-iteration search reached 830 MB in one run of four, 550 in another). The full collection
 * shrinks the heap back and gives the memory to the system.
 *
 * <p>Slack: {@code -Dadl.heapSlackMB=N} (default 32; 0 turns the guard off). A full collection of a
 * few hundred MB live takes a couple of hundred ms, against seconds per step on the CPU.
 *
 * <p>Heap sizing without launcher flags: {@code java -jar} runs G1, which after a full collection
 * keeps up to {@code MaxHeapFreeRatio} (default 70 %) of the heap free and grows it below
 * {@code MinHeapFreeRatio} (default 40 %) — for a live set of a few hundred MB that is a heap of
 * 2-3x it, committed, plus a young generation sized as a share of that heap. Both flags are
 * "manageable" HotSpot flags, settable at run time through {@link HotSpotDiagnosticMXBean}
 * (module jdk.management, which jdeps lists for the bundled runtime, scripts/make-jre.sh), so an
 * active guard sets them once ({@link #tuneHeapSizing}): after the guard's full collection the
 * heap is shrunk to within {@value #MAX_HEAP_FREE_PERCENT} % of what is alive, and the young
 * generation (a share of the heap) shrinks with it. docs/performance.md has the measured effect.
 */
public final class HeapGuard {
    /** The default slack in MB, see the class comment. */
    public static final long DEFAULT_SLACK_MB = 32;
    /** MinHeapFreeRatio set by {@link #tuneHeapSizing}: the heap grows after a collection only when less is free. */
    public static final int MIN_HEAP_FREE_PERCENT = 10;
    /** MaxHeapFreeRatio set by {@link #tuneHeapSizing}: the heap shrinks after a collection when more is free. */
    public static final int MAX_HEAP_FREE_PERCENT = 20;

    private final long slackBytes;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final MemoryPoolMXBean old = oldGeneration();

    /** The old generation's pool (G1 "G1 Old Gen", Serial "Tenured Gen", Parallel "PS Old Gen"); null for a collector without one. */
    private static MemoryPoolMXBean oldGeneration() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && (p.getName().contains("Old Gen") || p.getName().contains("Tenured"))) return p;
        }
        return null;
    }

    /** Bytes in the old generation (the whole heap where there is none). */
    private long used() { return old != null ? old.getUsage().getUsed() : memory.getHeapMemoryUsage().getUsed(); }
    private long baseline = -1, committedBaseline = -1;
    private int collections;

    public HeapGuard(long slackBytes) {
        if (slackBytes < 0) throw new IllegalArgumentException("heap slack must be >= 0 bytes, got " + slackBytes);
        this.slackBytes = slackBytes;
        if (slackBytes > 0) tuneHeapSizing();
    }

    /**
     * Sets the manageable HotSpot flags MinHeapFreeRatio and MaxHeapFreeRatio (see the class
     * comment) unless the command line set them; idempotent. Returns false where the runtime has
     * no such flags (a JVM other than HotSpot), which leaves the heap sizing as it was.
     */
    public static boolean tuneHeapSizing() {
        HotSpotDiagnosticMXBean vm;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
        if (vm == null) return false;
        try {
            if (vm.getVMOption("MinHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.VM_CREATION
                    || vm.getVMOption("MaxHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.VM_CREATION) {
                return true; // the user chose them with -XX: theirs stand
            }
            // Min first: the JVM refuses a MaxHeapFreeRatio below the current MinHeapFreeRatio (40 by default)
            vm.setVMOption("MinHeapFreeRatio", Integer.toString(MIN_HEAP_FREE_PERCENT));
            vm.setVMOption("MaxHeapFreeRatio", Integer.toString(MAX_HEAP_FREE_PERCENT));
            return true;
        } catch (IllegalArgumentException e) { // no such flag in this JVM
            return false;
        }
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

    /**
     * Before the first step (the model and its optimizers built): one full collection, so that the
     * heap sizing set by {@link #tuneHeapSizing} applies from the first step on instead of from
     * the end of it — the first step, interpreted and compiled as it runs, makes the most garbage,
     * and the collector otherwise grew the start-up heap for it to twice the live set.
     */
    public void beforeFirstStep() {
        if (slackBytes == 0) return;
        collect();
    }

    /** One full collection; the old generation's occupancy and the committed heap after it are the new reference. */
    private void collect() {
        System.gc();
        collections++;
        baseline = used();
        committedBaseline = memory.getHeapMemoryUsage().getCommitted();
    }

    /** Call between two steps, with nothing of the finished step still referenced. */
    public void afterStep() {
        if (slackBytes == 0) return;
        long used = used(), committed = memory.getHeapMemoryUsage().getCommitted();
        if (baseline < 0) { // the first step only sets the reference (its arrays are now pooled)
            baseline = used;
            committedBaseline = committed;
        }
        if (used <= baseline + slackBytes && committed <= committedBaseline + Math.max(4 * slackBytes, committedBaseline / 3)) return;
        collect();
    }

    /** Full collections this guard has run. */
    public int collections() { return collections; }
}
