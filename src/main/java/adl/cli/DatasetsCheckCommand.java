package adl.cli;

import adl.data.DatasetCheck;
import adl.data.Datasets;
import adl.data.Problem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code adl datasets check --dataset NAME --data DIR [--split S]}: prints the pairs per split, the
 * class histogram and every problem (one line each, naming the file); progress lines go to stderr.
 * Last line {@code datasets check: pairs=<n> problems=<n>}. Exit 0 clean, 1 problems, 2 bad usage.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Decode every image and label of a dataset and report every problem.",
                "Prints the pairs per split, the pixels per class and every problem, naming its file: missing pair, "
                        + "unreadable, truncated or empty file, image/label size mismatch, label values outside the classes. "
                        + "Exit 0 when clean, 1 otherwise."})
final class DatasetsCheckCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", required = true, description = "cityscapes, voc, ade20k or folder.")
    String dataset;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The dataset's folder (see datasets/<name>.md).")
    Path data;

    @Option(names = "--split", paramLabel = "S", description = "One split (default: the standard splits present).")
    String split;

    @Option(names = "--every", paramLabel = "N", defaultValue = "100", description = "A progress line every N pairs (default ${DEFAULT-VALUE}).")
    int every;

    @CommandLine.Mixin ImageLimitOption imageLimit;

    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        imageLimit.apply(cmd);
        if (!Files.isDirectory(data)) throw new CommandLine.ParameterException(cmd, "--data " + data + ": no such folder");
        if (every < 1) throw new CommandLine.ParameterException(cmd, "--every must be >= 1, got " + every);
        String name;
        try {
            name = Datasets.canonical(dataset);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--dataset: " + e.getMessage());
        }
        PrintWriter out = cmd.getOut(), err = cmd.getErr();
        DatasetCheck.Report r;
        try {
            r = DatasetCheck.run(name, data, split == null ? List.of() : List.of(split), every,
                    (s, done, total) -> { err.println("check " + s + ": " + done + "/" + total); err.flush(); });
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        print(r, out);
        return r.clean() ? 0 : 1;
    }

    static void print(DatasetCheck.Report r, PrintWriter out) {
        out.println("dataset " + r.dataset() + " at " + r.dir());
        long total = 0, ignored = 0;
        int pairs = 0;
        for (DatasetCheck.SplitReport s : r.splits()) {
            long px = s.ignored();
            for (long v : s.pixels()) px += v;
            out.printf(Locale.ROOT, "split %-10s pairs=%d pixels=%d problems=%d%n", s.split(), s.pairs(), px, s.problems().size());
            total += px;
            ignored += s.ignored();
            pairs += s.pairs();
        }
        long[] pixels = r.pixels();
        out.println("pixels per class (all splits):");
        for (int c = 0; c < pixels.length; c++) out.printf(Locale.ROOT, "  %3d %-22s %12d  %6.2f%%%n", c, r.classes().get(c), pixels[c], pct(pixels[c], total));
        out.printf(Locale.ROOT, "  255 %-22s %12d  %6.2f%%%n", "(ignore)", ignored, pct(ignored, total));
        List<Problem> problems = r.problems();
        for (Problem p : problems) out.println("problem " + p.kind().name().toLowerCase(Locale.ROOT) + ": " + p);
        out.println("datasets check: pairs=" + pairs + " problems=" + problems.size());
        out.flush();
    }

    private static double pct(long v, long total) { return total == 0 ? 0 : 100.0 * v / total; }
}
