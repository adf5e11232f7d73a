package adl.cli;

import java.util.Locale;

/**
 * The one-line message for a command that ran out of Java heap (docs/07-guarantees.md): the command,
 * the heap limit and the memory of the machine, and how to give Java more.
 */
final class OutOfMemory {
    private OutOfMemory() {}

    static String message(String[] args, OutOfMemoryError e) {
        Runtime rt = Runtime.getRuntime();
        long ram = machineBytes();
        String command = "adl " + String.join(" ", args);
        String what = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
        return String.format(Locale.ROOT, "out of Java heap memory%s in '%s': the heap limit is %.1f GB%s; give Java more memory, e.g. "
                        + "ADL_JAVA_OPTS=-Xmx%dg ./adl %s, or make the work smaller (--crop, --batch, --resize)",
                what, command, rt.maxMemory() / 1e9, ram > 0 ? String.format(Locale.ROOT, " of %.1f GB in this machine", ram / 1e9) : "",
                Math.max(2, suggestGb(rt.maxMemory(), ram)), String.join(" ", args));
    }

    /** Twice the current limit, at most 3/4 of the machine's memory (when known). */
    static long suggestGb(long maxHeap, long ram) {
        long want = 2 * maxHeap;
        if (ram > 0) want = Math.min(want, ram / 4 * 3);
        return Math.max(1, want >> 30);
    }

    private static long machineBytes() {
        try {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize();
        } catch (RuntimeException | LinkageError ignored) {
            // unknown
        }
        return -1;
    }
}
