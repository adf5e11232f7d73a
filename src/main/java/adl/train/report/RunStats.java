package adl.train.report;

import adl.train.plot.MetricsRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Time and memory of a run for its report. Peak memory is the process's peak resident set
 * (VmHWM, Linux) taken by the run itself each time it refreshes its report and kept, as the
 * largest seen over all sessions of a resumed run, in {@code peak_memory.txt} (MiB).
 */
public final class RunStats {
    static final String PEAK_FILE = "peak_memory.txt";

    private RunStats() {}

    /** This process's peak resident set in MiB (VmHWM of /proc/self/status, Linux), NaN where it is not readable. */
    public static double peakRssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** The same in whole MiB (rounded down), or −1 where it is not readable. */
    static long peakRssMib() {
        double mib = peakRssMegabytes();
        return Double.isNaN(mib) ? -1 : (long) mib;
    }

    /** Records this process's peak in the run (the larger of it and what an earlier session recorded). */
    public static void recordPeak(Path runDir) throws IOException {
        long now = peakRssMib();
        if (now < 0) return;
        long before = readPeak(runDir);
        if (now > before) Files.writeString(runDir.resolve(PEAK_FILE), now + "\n");
    }

    /** The recorded peak in MiB, or −1 when none was recorded. */
    static long readPeak(Path runDir) {
        try {
            return Long.parseLong(Files.readString(runDir.resolve(PEAK_FILE)).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d h %02d min %02d s", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    /** Rows of "what, value" about time and memory. */
    static List<List<String>> rows(Path runDir, List<MetricsRow> metrics) {
        MetricsRow last = metrics.isEmpty() ? null : metrics.getLast();
        long peak = readPeak(runDir);
        return List.of(
                List.of("iterations done", last == null ? "0" : Long.toString(last.iteration())),
                List.of("time (training, validation and checkpoints)", last == null || !Double.isFinite(last.seconds()) ? "-" : duration(last.seconds())),
                List.of("seconds per iteration", last == null || last.iteration() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", last.seconds() / last.iteration())),
                List.of("peak resident memory of the process", peak < 0 ? "not recorded (the run predates report.html)" : peak + " MiB"));
    }
}
