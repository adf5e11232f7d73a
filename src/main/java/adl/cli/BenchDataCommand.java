package adl.cli;

import adl.data.Augment;
import adl.data.Dataset;
import adl.data.Loader;
import adl.data.SampleTransform;
import adl.data.SyntheticDataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code adl bench data}: images per second the {@link Loader} makes (read or generate, then
 * augment, then stack) with 0 (inline) and 1..N worker threads, next to the time of one search
 * iteration at the same crop and batch ({@code bench search-step}, or {@code --search-ms}), and
 * whether the loader keeps up: a search iteration consumes two batches (A and B), so it needs
 * 2·batch / iteration-seconds images per second. The loader runs with the engine idle; on the CPU
 * backend its workers share the cores with the engine during a real run.
 * Last line: {@code bench data: best_images_per_s=<n> needed_images_per_s=<n> keeps_up=<yes|no>}.
 */
@Command(name = "data", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Images per second of the data loader next to the search iteration time.")
final class BenchDataCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", description = "synthetic, cityscapes, voc, ade20k or folder (default ${DEFAULT-VALUE}); real data: its training split, "
            + "decoded from its files with the DeepLab augmentation.") String dataset = "synthetic";
    @Option(names = "--data", description = "Dataset root (real datasets; synthetic ignores it). Default: none.") Path data;
    @Option(names = "--resize", description = "Scale real images as they are read (default 1).") double resize = 1.0;
    @Option(names = "--crop", description = "Square crop (default ${DEFAULT-VALUE}).") int crop = 64;
    @Option(names = "--batch", description = "Batch size (default ${DEFAULT-VALUE}).") int batch = 2;
    @Option(names = "--workers", description = "Largest worker count measured, from 1 (default: all cores).") Integer workers;
    @Option(names = "--iters", description = "Batches per measurement (default ${DEFAULT-VALUE}).") int iters = 100;
    @Option(names = "--augment", description = "deeplab (scale 0.5-2, crop, flip; synthetic images twice the crop, as retrain) "
            + "or flip (images at the crop, the search's flip) (default ${DEFAULT-VALUE}).") String augment = "deeplab";
    @Option(names = "--search-ms", description = "Search iteration time to compare with (skips measuring it). Default: measured.") Double searchMs;
    @Option(names = "--device", description = "Device of the search-step measurement (default ${DEFAULT-VALUE}).") String device = "auto";
    @Option(names = "--threads", description = "Engine CPU threads of the search-step measurement (default: all cores).") Integer threads;
    @Option(names = "--filter-multiplier", description = "F of the search-step measurement (default ${DEFAULT-VALUE}).") int filterMultiplier = 8;
    @Option(names = "--layers", description = "L of the search-step measurement (default ${DEFAULT-VALUE}).") int layers = 12;
    @Option(names = "--search-iters", description = "Timed search iterations (default ${DEFAULT-VALUE}).") int searchIters = 3;
    @Option(names = "--seed", description = "Seed (default ${DEFAULT-VALUE}).") long seed = 0;

    private static final Pattern MEDIAN = Pattern.compile("search-step: median_ms=([0-9.]+)");

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (crop < 16 || batch < 2 || iters < 1 || (workers != null && workers < 1) || searchIters < 1 || (searchMs != null && searchMs <= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --crop >= 16, --batch >= 2, --iters >= 1, --workers >= 1, --search-iters >= 1, --search-ms > 0");
        }
        String name = DataChoice.name(spec.commandLine(), dataset);
        boolean real = !name.equals(DataChoice.SYNTHETIC);
        if (!augment.equals("deeplab") && !augment.equals("flip")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--augment must be deeplab or flip, got " + augment);
        }
        if (data != null && !real) out.println("(synthetic data is generated; --data " + data + " is not used)");
        if (real && !augment.equals("deeplab")) throw new CommandLine.ParameterException(spec.commandLine(), "real images need --augment deeplab (they are not crop-sized)");
        boolean deeplab = augment.equals("deeplab");
        int side = deeplab ? 2 * crop : crop;
        Dataset set = real ? DataChoice.open(spec.commandLine(), name, data, "train", resize) : new SyntheticDataset("train", Math.max(4 * batch, 64), side, side, seed);
        int images = set.size();
        SampleTransform transform = deeplab ? SampleTransform.augment(Augment.deeplab(crop), seed) : SampleTransform.seededFlip(seed, t -> t / 10);
        LongFunction<int[]> order = t -> {
            int[] idx = new int[batch];
            for (int k = 0; k < batch; k++) idx[k] = (int) ((t * batch + k) % images);
            return idx;
        };
        int maxWorkers = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "adl-engine bench data: %s %dx%d images, %s to crop %d, batch %d, %d batches per row, %d cores, java %s%n",
                set.name(), real ? set.get(0).height() : side, real ? set.get(0).width() : side, deeplab ? "scale/crop/flip" : "flip", crop, batch, iters, Runtime.getRuntime().availableProcessors(), Runtime.version());
        out.flush();
        measure(set, order, transform, 1, Math.max(10, iters)); // warm-up (JIT), untimed
        List<double[]> rows = new ArrayList<>();
        for (int w = 0; w <= maxWorkers; w++) rows.add(new double[] {w, measure(set, order, transform, w, iters)});
        double ms = searchMs != null ? searchMs : searchStepMillis(err);
        if (Double.isNaN(ms)) return 1;
        double needed = 2.0 * batch / (ms / 1000);
        out.printf(Locale.ROOT, "search iteration: %.1f ms%s at crop %d, batch %d -> needs %.1f images/s (A and B batches)%n",
                ms, searchMs != null ? " (given)" : " (bench search-step, L=" + layers + ", F=" + filterMultiplier + ")", crop, batch, needed);
        out.println("| workers | images/s | ms/batch | keeps up      |");
        out.println("|---------|----------|----------|---------------|");
        double best = 0;
        for (double[] r : rows) {
            best = Math.max(best, r[1]);
            out.printf(Locale.ROOT, "| %7s | %8.1f | %8.2f | %-13s |%n", r[0] == 0 ? "inline" : String.valueOf((int) r[0]), r[1],
                    1000.0 * batch / r[1], String.format(Locale.ROOT, "%s %.1fx", r[1] >= needed ? "yes" : "no", r[1] / needed));
        }
        out.println("(the loader ran with the engine idle; on the CPU backend its workers share the cores with the engine)");
        out.printf(Locale.ROOT, "bench data: best_images_per_s=%.1f needed_images_per_s=%.1f keeps_up=%s%n", best, needed, best >= needed ? "yes" : "no");
        out.flush();
        return 0;
    }

    /** Images per second of {@code batches} batches through a loader with {@code workers} workers (0 = inline), taken as soon as ready. */
    private double measure(Dataset set, LongFunction<int[]> order, SampleTransform transform, int workers, int batches) {
        int depth = Math.max(2, (workers + batch - 1) / batch + 1);
        long t0 = System.nanoTime();
        try (Loader l = new Loader("bench", set, order, transform, 0, batches, depth, workers)) {
            for (long t = 0; t < batches; t++) l.take(t);
        }
        return (double) batches * batch / ((System.nanoTime() - t0) / 1e9);
    }

    /** Median ms of {@code bench search-step} at this crop and batch; NaN (after printing why) when it fails. */
    private double searchStepMillis(PrintWriter err) {
        List<String> args = new ArrayList<>(List.of("--crop", String.valueOf(crop), "--batch", String.valueOf(batch),
                "--device", device, "--filter-multiplier", String.valueOf(filterMultiplier), "--layers", String.valueOf(layers),
                "--iters", String.valueOf(searchIters), "--warmup", "1", "--seed", String.valueOf(seed)));
        if (threads != null) args.addAll(List.of("--threads", String.valueOf(threads)));
        StringWriter stepOut = new StringWriter(), stepErr = new StringWriter();
        CommandLine step = new CommandLine(new BenchSearchStepCommand());
        step.setOut(new PrintWriter(stepOut, true));
        step.setErr(new PrintWriter(stepErr, true));
        int code = step.execute(args.toArray(String[]::new));
        Matcher m = MEDIAN.matcher(stepOut.toString());
        if (code != 0 || !m.find()) {
            err.println("bench data: the search-step measurement failed (exit " + code + "): " + stepErr.toString().strip()
                    + "; give --search-ms to skip it");
            return Double.NaN;
        }
        return Double.parseDouble(m.group(1));
    }
}
