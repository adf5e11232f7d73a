package adl.train;

import adl.nas.Architecture;
import adl.nas.CellEdge;
import adl.nas.SuperNet;
import adl.nas.TrellisLayout;
import adl.train.plot.AlphaHeatmap;
import adl.train.plot.CellPlot;
import adl.train.plot.CurvePlot;
import adl.train.plot.MetricsRow;
import adl.train.plot.TrellisPlot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PNG plots of a search run, rewritten after every epoch (docs/10-run-directory.md §1): curves.png (losses
 * and mIoU), alpha.png (softmax(α) as an edges × ops heatmap), trellis.png (β̂ with the decoded
 * path), cell.png (the decoded cell).
 */
final class EpochPlots {
    static final String CURVES = "curves.png", ALPHA = "alpha.png", TRELLIS = "trellis.png", CELL = "cell.png";

    private final RunFiles files;

    EpochPlots(RunFiles files) {
        this.files = files;
        warmUp();
    }

    /**
     * Loads the AWT font and imaging classes now: Java2D registers JVM shutdown hooks of its own
     * the first time it draws text, which fails once a shutdown (Ctrl-C) is under way.
     */
    static void warmUp() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.drawString("x", 1, 7);
        g.dispose();
    }

    /** Writes all four plots; a plot that fails is reported and skipped — plots never stop a run. */
    void write(SuperNet net, Architecture arch, RunListener listener) {
        try {
            writeAll(net, arch);
        } catch (IOException | RuntimeException e) {
            listener.message("warning: could not write the plots: " + e.getMessage());
        }
    }

    private void writeAll(SuperNet net, Architecture arch) throws IOException {
        plot(CURVES, f -> CurvePlot.write(f, readMetrics(files.file(RunFiles.METRICS))));
        String[] ops = net.arch().space().names().toArray(String[]::new);
        TrellisLayout layout = net.trellis().layout();
        plot(TRELLIS, f -> TrellisPlot.write(f, layout.normalize(net.arch().betaValues()), arch.path(), layout.layers()));
        List<String> names = new ArrayList<>();
        List<Integer> inputs = new ArrayList<>();
        for (CellEdge e : arch.cell()) {
            names.add(e.op().paperName());
            inputs.add(e.input());
        }
        plot(ALPHA, f -> AlphaHeatmap.write(f, net.arch().alphaValues(), ops, net.topology().blocks(), names, inputs));
        plot(CELL, f -> CellPlot.write(f, names, inputs, arch.blocks()));
    }

    private interface PlotWriter { void write(Path file) throws IOException; }

    /** Writes one plot; a failure names the file and the deepest reason ("No space left on device", not ImageIO's "I/O error writing PNG file!"). */
    private void plot(String name, PlotWriter w) throws IOException {
        Path f = files.file(name);
        try {
            w.write(f);
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            throw new IOException("cannot write " + f + ": " + IoErrors.reason(root), e);
        }
    }

    /** metrics.csv as rows (empty fields → NaN). */
    static List<MetricsRow> readMetrics(Path csv) throws IOException {
        List<MetricsRow> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != 8) continue;
            rows.add(new MetricsRow(Integer.parseInt(f[0]), Long.parseLong(f[1]), num(f[2]), num(f[3]), num(f[4]), num(f[5]), num(f[6]), num(f[7])));
        }
        return rows;
    }

    private static double num(String s) { return s.isEmpty() ? Double.NaN : Double.parseDouble(s); }
}
