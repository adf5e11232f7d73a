package adl.train.report;

import adl.backend.Device;
import adl.data.Palettes;
import adl.data.SyntheticDataset;
import adl.nas.Architecture;
import adl.nas.CellEdge;
import adl.nas.SearchSpace;
import adl.nas.retrain.FixedNetwork;
import adl.nn.Init;
import adl.tensor.DType;
import adl.train.Validation;
import adl.train.plot.AlphaHeatmap;
import adl.train.plot.CellPlot;
import adl.train.plot.MetricsRow;
import adl.train.plot.PlotExamples;
import adl.train.plot.TrellisPlot;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * report.html of a search and a retrain run: self-contained (no script, nothing fetched, every
 * image embedded) and, where Debian's chromium is installed (.ci/run installs it), opened by
 * headless Chromium, whose screenshot must show the embedded plots (coloured pixels) and whose
 * log must show no load or console error.
 */
class ReportPageTest {
    @TempDir Path dir;

    static final List<String> OPS = PlotExamples.PAPER_OPS;

    static Architecture paper() {
        List<CellEdge> cell = new ArrayList<>();
        for (int i = 0; i < OPS.size(); i++) cell.add(new CellEdge(SearchSpace.PAPER.byName(OPS.get(i)), PlotExamples.PAPER_INPUTS.get(i)));
        return new Architecture(cell, new int[] {0, 0, 1, 2}, 2);
    }

    static void writeMetrics(Path run, List<MetricsRow> rows) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,iteration,train_loss,arch_loss,val_loss,val_miou,lr,seconds\n");
        for (MetricsRow r : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%s%n", r.epoch(), r.iteration(), v(r.trainLoss()), v(r.archLoss()), v(r.valLoss()),
                    v(r.valMiou()), v(r.lr()), v(r.seconds())));
        }
        Files.writeString(run.resolve("metrics.csv"), sb);
    }

    private static String v(double x) { return Double.isFinite(x) ? Double.toString(x) : ""; }

    Path searchRun() throws IOException {
        Path run = Files.createDirectories(dir.resolve("search-run"));
        Files.writeString(run.resolve("config.json"), "{\"dataset\":\"synthetic\",\"layers\":4,\"epochs\":4,\"arch_start_epoch\":2}\n");
        Files.writeString(run.resolve("split.json"), "{}\n");
        writeMetrics(run, PlotExamples.metrics(4, 20, 2, 5));
        Architecture a = paper();
        a.write(run.resolve("architecture.json"));
        StringBuilder history = new StringBuilder();
        for (int e = 0; e < 4; e++) history.append("{\"epoch\":").append(e).append(",\"architecture\":").append(a.toJson().replaceAll("\\s+", "")).append("}\n");
        Files.writeString(run.resolve("architecture_history.jsonl"), history);
        AlphaHeatmap.write(run.resolve("alpha.png"), PlotExamples.alpha(5, OPS, PlotExamples.PAPER_INPUTS, 11), PlotExamples.OPS, 5, OPS, PlotExamples.PAPER_INPUTS);
        TrellisPlot.write(run.resolve("trellis.png"), PlotExamples.betaHat(12, PlotExamples.PAPER_PATH, 13), PlotExamples.PAPER_PATH, 12);
        CellPlot.write(run.resolve("cell.png"), OPS, PlotExamples.PAPER_INPUTS, 5);
        return run;
    }

    Path retrainRun() throws IOException {
        Path run = Files.createDirectories(dir.resolve("retrain-run"));
        Files.writeString(run.resolve("config.json"), "{\"dataset\":\"synthetic\",\"iters\":100,\"crop\":32}\n");
        List<MetricsRow> rows = new ArrayList<>();
        for (MetricsRow r : PlotExamples.metrics(4, 25, 99, 6)) rows.add(new MetricsRow(0, r.iteration() + 1, r.trainLoss(), Double.NaN, r.valLoss(), r.valMiou(), r.lr(), r.seconds()));
        writeMetrics(run, rows);
        SyntheticDataset val = new SyntheticDataset("val", 4, 32, 32, 0);
        try (FixedNetwork net = new FixedNetwork(new Init(Device.CPU, DType.F32, 1),
                new FixedNetwork.Config(paper(), 2, val.numClasses()).withWidths(new FixedNetwork.Widths(4, 8, 8, 4, 8)))) {
            Validation.Scores s = Validation.run(net, val, 4, 2, Device.CPU);
            RetrainReport.write(run, new RetrainReport.Inputs(net, val, Palettes.synthetic(), s.confusion(), 32, Device.CPU), true);
        }
        return run;
    }

    @Test void searchPageIsSelfContainedAndRenders() throws Exception {
        Path page = SearchReport.write(searchRun(), true);
        String html = Files.readString(page);
        selfContained(html, 4);
        for (String section : List.of("Losses and validation mIoU", "softmax(α)", "β̂ and the decoded path", "Decoded cell", "Architecture per epoch",
                "Time and memory", "Configuration", "Why the first validation losses")) {
            assertTrue(html.contains(Html.esc(section)), "section " + section);
        }
        render(page);
    }

    @Test void retrainPageIsSelfContainedAndRenders() throws Exception {
        Path page = retrainRun().resolve(SearchReport.FILE);
        String html = Files.readString(page);
        selfContained(html, 1 + 3 * 4);
        for (String section : List.of("Per-class IoU", "Sample predictions", "multiply-adds", "parameters", "background")) {
            assertTrue(html.contains(section), "section " + section);
        }
        render(page);
    }

    /** No script, no reference outside the file, exactly {@code images} images, all embedded. */
    static void selfContained(String html, int images) {
        String lower = html.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<script"), "no JavaScript");
        assertFalse(lower.contains("http://") || lower.contains("https://") || lower.contains("url("), "nothing fetched");
        Matcher m = Pattern.compile("<img [^>]*src=\"([^\"]{0,30})").matcher(html);
        int n = 0;
        while (m.find()) {
            assertTrue(m.group(1).startsWith("data:image/png;base64,"), "embedded image: " + m.group(1));
            n++;
        }
        assertEquals(images, n, "images on the page");
    }

    static String chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) if (Files.isExecutable(Path.of(c))) return c;
        return null;
    }

    /** Headless Chromium screenshots the page; the log has no load or console error and the picture shows the plots. */
    void render(Path page) throws Exception {
        String chromium = chromium();
        if (chromium == null) System.out.println("ReportPageTest: chromium not installed (apt-get install chromium): browser check skipped");
        Assumptions.assumeTrue(chromium != null, "chromium not installed (apt-get install chromium): browser check skipped");
        Path shot = dir.resolve(page.getParent().getFileName() + ".png"), log = dir.resolve("chromium.log");
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--enable-logging=stderr", "--user-data-dir=" + profile, "--window-size=1320,2400",
                "--screenshot=" + shot, page.toUri().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished within 120 s");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "chromium exit code; its log:\n" + out);
        for (String bad : List.of("CONSOLE", "ERR_FILE_NOT_FOUND", "ERR_", "Uncaught", "Not allowed to load")) {
            assertFalse(out.lines().anyMatch(l -> l.contains(bad) && !l.contains("dbus")), "chromium reported " + bad + ":\n" + out);
        }
        BufferedImage img = ImageIO.read(shot.toFile());
        assertNotNull(img, "the screenshot decodes");
        long coloured = 0, total = (long) img.getWidth() * img.getHeight();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y), r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) coloured++;
            }
        }
        System.out.printf(Locale.ROOT, "ReportPageTest: %s rendered %dx%d, %.2f%% coloured pixels%n", page.getParent().getFileName(), img.getWidth(), img.getHeight(),
                100.0 * coloured / total);
        assertTrue(coloured > total / 200, "the embedded plots show (coloured pixels: " + coloured + " of " + total + ")");
    }
}
