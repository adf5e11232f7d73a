package adl.cli;

import adl.backend.Device;
import adl.backend.cpu.Parallel;
import adl.data.ImageFiles;
import adl.data.Normalization;
import adl.train.eval.Inference;
import adl.train.eval.MaskImages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code adl predict --run RUN_DIR --input IMAGE|DIR --output DIR}: colour masks of a retrained network's predictions. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict segmentation masks with a retrained network: one colour PNG per input image (PNG or JPEG),",
                "in the dataset's palette, named after the image; --overlay blends the mask over the image instead."})
final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A retrain run directory.")
    Path run;
    @Option(names = "--input", required = true, paramLabel = "IMAGE|DIR", description = "An image, or a folder of images (png, jpg, jpeg; not recursive).")
    Path input;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder for the masks (created if missing).")
    Path output;
    @Option(names = "--overlay", description = "Blend the mask over the image (alpha " + MaskImages.DEFAULT_ALPHA + ").")
    boolean overlay;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Weights to use (default: the run's best checkpoint, else its newest).")
    Path checkpoint;
    @Option(names = "--device", description = "auto, cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE}.")
    String device = "auto";
    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        Device dev = DeviceOption.resolve(spec.commandLine(), "predict", device, spec.commandLine().getErr());
        if (dev == null) return 2;
        Parallel.setThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        ImageFiles.Listing listing = ImageFiles.list(input);
        PrintWriter out = spec.commandLine().getOut();
        for (Path skipped : listing.skipped()) out.println("skipping " + skipped + " (not a .png, .jpg or .jpeg file)");
        try (TrainedRun r = TrainedRun.open(spec.commandLine(), run, checkpoint, dev)) {
            Inference inference = new Inference(r.net, dev);
            int[][] palette = r.palette().colors();
            Files.createDirectories(output);
            int n = 0;
            for (Path image : listing.images()) {
                BufferedImage img = ImageFiles.read(image);
                int h = img.getHeight(), w = img.getWidth();
                int[] labels = inference.predict(ImageFiles.toChw(img, Normalization.SYNTHETIC), h, w);
                Path png = output.resolve(ImageFiles.baseName(image) + ".png");
                MaskImages.writePng(png, overlay ? MaskImages.overlay(img, labels, palette, MaskImages.DEFAULT_ALPHA) : MaskImages.colorize(labels, h, w, palette));
                out.printf(Locale.ROOT, "%s -> %s (%dx%d)%n", image, png, w, h);
                out.flush();
                n++;
            }
            out.printf(Locale.ROOT, "wrote %d mask%s to %s%n", n, n == 1 ? "" : "s", output);
        }
        return 0;
    }
}
