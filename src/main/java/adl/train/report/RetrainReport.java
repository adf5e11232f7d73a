package adl.train.report;

import adl.autograd.GradMode;
import adl.backend.Device;
import adl.data.Batch;
import adl.data.Dataset;
import adl.data.ImageFiles;
import adl.data.Normalization;
import adl.data.Palette;
import adl.data.Sample;
import adl.memory.Scope;
import adl.nas.Architecture;
import adl.nas.retrain.FixedNetwork;
import adl.nas.retrain.NetworkSummary;
import adl.train.ConfusionMatrix;
import adl.train.Predictions;
import adl.train.plot.CurvePlot;
import adl.train.plot.MetricsRow;
import adl.train.eval.Legend;
import adl.train.eval.MaskImages;
import com.fasterxml.jackson.databind.JsonNode;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * report.html of a retrain run: curves, per-class IoU of the latest validation, sample predictions
 * beside the truth with a class legend, the network's parameters and multiply-adds, time and memory.
 */
public final class RetrainReport {
    /** Validation images shown as samples. */
    static final int SAMPLES = 4;

    private RetrainReport() {}

    /** What the page is built from besides the run's files. */
    public record Inputs(FixedNetwork net, Dataset val, Palette palette, ConfusionMatrix confusion, int crop, Device device) {}

    /**
     * Writes {@code runDir/report.html}; {@code redrawCurves} rewrites curves.png from metrics.csv first.
     * The network is used in eval mode and left in the mode it was in.
     */
    public static Path write(Path runDir, Inputs in, boolean redrawCurves) throws IOException {
        List<MetricsRow> metrics = Metrics.read(runDir.resolve("metrics.csv"));
        if (redrawCurves && !metrics.isEmpty()) CurvePlot.write(runDir.resolve("curves.png"), metrics, false);
        JsonNode config = SearchReport.JSON.readTree(runDir.resolve("config.json").toFile());
        Architecture arch = in.net().config().architecture();
        List<MetricsRow> vals = Metrics.validations(metrics);
        ConfusionMatrix cm = in.confusion();

        Html h = new Html("Retrain " + runDir.getFileName());
        h.h1("Auto-DeepLab retrain: " + runDir.getFileName());
        MetricsRow best = vals.stream().filter(r -> Double.isFinite(r.valMiou())).max((a, b) -> Double.compare(a.valMiou(), b.valMiou())).orElse(null);
        h.p(String.format(Locale.ROOT, "%s data, %s iterations of %d done. Validation mIoU: latest %.4f, best %s.",
                config.path("dataset").asText("?"), metrics.isEmpty() ? "0" : Long.toString(metrics.getLast().iteration()), config.path("iters").asInt(),
                cm.meanIou(), best == null ? "-" : String.format(Locale.ROOT, "%.4f at iteration %d", best.valMiou(), best.iteration())));

        h.h2("Losses and validation mIoU");
        h.png(runDir.resolve("curves.png"), "loss and mIoU curves");
        if (CurvePlot.spiky(metrics)) h.p(ReportText.VAL_LOSS_SPIKE);

        h.h2("Per-class IoU (latest validation)");
        List<List<String>> rows = new ArrayList<>();
        long total = 0;
        for (int c = 0; c < cm.classes(); c++) for (int p = 0; p < cm.classes(); p++) total += cm.count(c, p);
        StringBuilder t = new StringBuilder("<table><tr><th>class</th><th>IoU</th><th>share of true pixels</th></tr>\n");
        for (int c = 0; c < cm.classes(); c++) {
            long truth = 0;
            for (int p = 0; p < cm.classes(); p++) truth += cm.count(c, p);
            double iou = cm.iou(c);
            t.append("<tr><td>").append(swatch(in.palette(), c)).append(Html.esc(in.palette().names().get(c))).append("</td><td class=\"num\">")
             .append(Double.isFinite(iou) ? String.format(Locale.ROOT, "%.4f", iou) : "absent").append("</td><td class=\"num\">")
             .append(String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0 : 100.0 * truth / total)).append("</td></tr>\n");
        }
        t.append(String.format(Locale.ROOT, "<tr><th>mean (mIoU)</th><th class=\"num\">%.4f</th><th class=\"num\">pixel accuracy %.4f</th></tr></table>\n",
                cm.meanIou(), cm.pixelAccuracy()));
        h.raw(t.toString());
        h.p("IoU = TP / (TP + FP + FN) over the validation images; a class absent from both labels and predictions is left out of the mean.");

        h.h2("Sample predictions");
        h.raw(samples(in));
        h.raw(legend(in.palette()));

        h.h2("Network");
        NetworkSummary s = in.net().summary(in.crop(), in.crop());
        h.table(List.of("what", "value"), List.of(
                List.of("cell", arch.describeCell().strip().replace("\n", "; ")),
                List.of("path (level of layer 1.." + arch.layers() + ")", Arrays.toString(arch.path())),
                List.of("filter multiplier F", Integer.toString(in.net().config().filterMultiplier())),
                List.of("parameters", String.format(Locale.ROOT, "%,d", s.params())),
                List.of("multiply-adds per " + in.crop() + "×" + in.crop() + " image", String.format(Locale.ROOT, "%,d", s.macs()))));

        h.h2("Time and memory");
        h.table(List.of("what", "value"), RunStats.rows(runDir, metrics));
        h.h2("Configuration");
        h.table(List.of("setting", "value"), SearchReport.configRows(config));
        Path out = runDir.resolve(SearchReport.FILE);
        ReportText.writeAtomically(out, h.finish());
        return out;
    }

    private static String swatch(Palette p, int c) {
        return String.format(Locale.ROOT, "<span class=\"sw\" style=\"background:#%06x\"></span>", p.rgb(c));
    }

    private static String legend(Palette p) {
        StringBuilder sb = new StringBuilder("<p class=\"note\">Colours: ");
        for (int c = 0; c < p.size(); c++) sb.append(swatch(p, c)).append(Html.esc(p.names().get(c))).append(c + 1 < p.size() ? " &nbsp; " : "");
        return sb.append(" (black: ignored pixels).</p>\n").toString();
    }

    /** Nearest-neighbour enlargement by an integer factor (small crops stay readable, pixels stay sharp). */
    static BufferedImage scaled(BufferedImage img, int k) {
        if (k == 1) return img;
        BufferedImage out = new BufferedImage(img.getWidth() * k, img.getHeight() * k, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, img.getRGB(x / k, y / k));
        return out;
    }

    /** Labels [H, W] row-major (width w) enlarged as {@link #scaled}. */
    static int[] upscale(int[] labels, int w, int k) {
        int h = labels.length / w, W = w * k;
        int[] out = new int[labels.length * k * k];
        for (int y = 0; y < h * k; y++) for (int x = 0; x < W; x++) out[y * W + x] = labels[(y / k) * w + x / k];
        return out;
    }

    /** The first validation images: image, true mask, predicted mask with its legend. */
    private static String samples(Inputs in) throws IOException {
        boolean wasTraining = in.net().isTraining();
        in.net().eval();
        StringBuilder sb = new StringBuilder("<div class=\"grid\">\n");
        int[][] colours = in.palette().colors();
        try (GradMode.Guard off = GradMode.off()) {
            for (int i = 0; i < Math.min(SAMPLES, in.val().size()); i++) {
                Sample s = in.val().get(i);
                int[] pred;
                try (Scope sc = Scope.open()) {
                    pred = Predictions.argmax(in.net().forward(Batch.of(List.of(s), in.device()).images()));
                }
                int scale = Math.max(1, 192 / Math.max(s.height(), s.width()));
                BufferedImage image = scaled(ImageFiles.toImage(s.image(), s.height(), s.width(), Normalization.SYNTHETIC), scale);
                BufferedImage truth = scaled(MaskImages.colorize(s.label(), s.height(), s.width(), colours), scale);
                BufferedImage predicted = Legend.besides(scaled(MaskImages.colorize(pred, s.height(), s.width(), colours), scale), upscale(pred, s.width(), scale), in.palette());
                sb.append("<figure>").append(Html.img(image, 1, "image")).append(' ').append(Html.img(truth, 1, "truth")).append(' ')
                  .append(Html.img(predicted, 1, "prediction")).append("<figcaption>").append(Html.esc(s.name()))
                  .append(": image, true mask, prediction (classes present in the prediction, with their share)</figcaption></figure>\n");
            }
        } finally {
            in.net().train(wasTraining);
        }
        return sb.append("</div>\n").toString();
    }
}
