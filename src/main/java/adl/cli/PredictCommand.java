package adl.cli;

import adl.backend.Device;
import adl.data.ImageFiles;
import adl.data.Normalization;
import adl.autograd.GradMode;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.train.Safetensors;
import adl.train.eval.Inference;
import adl.train.eval.Legend;
import adl.train.eval.MaskImages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code adl predict --run RUN_DIR --input IMAGE|DIR --output DIR}: colour masks of a retrained network's predictions. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict segmentation masks with a retrained network: one colour PNG per input image.",
                "Inputs are PNG or JPEG; masks are in the dataset's palette and named after the image. "
                        + "--overlay blends the mask over the image instead, with a class legend beside it."})
final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin RetrainRunOption run;
    @Option(names = "--input", required = true, paramLabel = "IMAGE|DIR", description = "An image, or a folder of images (png, jpg, jpeg; not recursive).")
    Path input;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder for the masks (created if missing).")
    Path output;
    @Option(names = "--overlay", description = "Blend the mask over the image (alpha " + MaskImages.DEFAULT_ALPHA + ").")
    boolean overlay;
    @Option(names = "--legend", negatable = true, description = "Add a class legend (the classes present, with their share of the pixels) "
            + "to the right of each PNG. Default: on with --overlay, off for plain masks (whose pixels stay the label map).")
    Boolean legend;
    @Option(names = "--save-logits", description = "Also write <name>.logits.safetensors: the network input [1, 3, H, W] as 'input' and its "
            + "single-scale logits [1, K, H, W] as 'logits' (for scripts/interop/fixed_network_torch.py --compare).")
    boolean saveLogits;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Weights to use (default: the run's best checkpoint, else its newest).")
    Path checkpoint;
    @CommandLine.Mixin InferenceOptions options;

    @Override
    public Integer call() throws Exception {
        options.check(spec.commandLine());
        ImageFiles.Listing listing;
        try {
            listing = ImageFiles.list(input);
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input " + e.getMessage());
        }
        TrainedRun.config(spec.commandLine(), run.dir);
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--output " + output + ": exists and is not a folder");
        }
        Device dev = options.open(spec.commandLine(), "predict");
        if (dev == null) return 2;
        PrintWriter out = spec.commandLine().getOut();
        for (Path skipped : listing.skipped()) out.println("skipping " + skipped + " (not a .png, .jpg or .jpeg file)");
        try (TrainedRun r = TrainedRun.open(spec.commandLine(), run.dir, checkpoint, dev)) {
            Inference inference = new Inference(r.net, dev);
            int[][] palette = r.palette().colors();
            boolean withLegend = legend != null ? legend : overlay;
            Files.createDirectories(output);
            int n = 0;
            for (Path image : listing.images()) {
                BufferedImage img = ImageFiles.read(image);
                int h = img.getHeight(), w = img.getWidth();
                float[] chw = ImageFiles.toChw(img, Normalization.SYNTHETIC);
                int[] labels = inference.predict(chw, h, w);
                Path png = output.resolve(ImageFiles.baseName(image) + ".png");
                if (saveLogits) writeLogits(r, dev, chw, h, w, output.resolve(ImageFiles.baseName(image) + ".logits.safetensors"));
                BufferedImage mask = overlay ? MaskImages.overlay(img, labels, palette, MaskImages.DEFAULT_ALPHA) : MaskImages.colorize(labels, h, w, palette);
                MaskImages.writePng(png, withLegend ? Legend.besides(mask, labels, r.palette()) : mask);
                out.printf(Locale.ROOT, "%s -> %s (%dx%d)%n", image, png, w, h);
                out.flush();
                n++;
            }
            out.printf(Locale.ROOT, "wrote %d mask%s to %s%n", n, n == 1 ? "" : "s", output);
        }
        return 0;
    }

    /** Runs the network once on the image (eval mode, no gradients) and writes input and logits as float32 safetensors. */
    private static void writeLogits(TrainedRun r, Device dev, float[] chw, int h, int w, Path file) throws java.io.IOException {
        double[] x = new double[chw.length];
        for (int i = 0; i < x.length; i++) x[i] = chw[i];
        float[] logits;
        try (Scope s = Scope.open(); GradMode.Guard off = GradMode.off()) {
            Tensor y = r.net.forward(Tensors.of(dev, DType.F32, Shape.of(1, 3, h, w), x));
            double[] v = Tensors.toDoubles(y);
            logits = new float[v.length];
            for (int i = 0; i < v.length; i++) logits[i] = (float) v[i];
        }
        Map<String, Safetensors.Entry> entries = new LinkedHashMap<>();
        entries.put("input", Safetensors.Entry.of(new int[] {1, 3, h, w}, chw));
        entries.put("logits", Safetensors.Entry.of(new int[] {1, r.config.classes(), h, w}, logits));
        Safetensors.write(file, entries, Map.of("checkpoint", r.checkpoint.toString()));
    }
}
