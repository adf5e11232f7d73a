package adl.train.plot;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The network-level trellis (docs/02-search-space.md §4): x = layer 0..L (0 = the stem node), y = level 0..3
 * (rate 4·2^v), finest level at the top. A dot for each node (l, v), v ≤ min(l, 3); a line for
 * every valid edge (l, u) → (l+1, u+d−1) whose width and opacity grow with β̂[l][u][d]; the
 * decoded path on top in red, each of its edges labelled with its β̂ (drawn over the rendered chart).
 */
public final class TrellisPlot {
    static final int LEVELS = 4, WIDTH = 1200, HEIGHT = 620;
    private static final Color EDGE = new Color(40, 70, 140), NODE = new Color(90, 90, 90), PATH = new Color(215, 25, 28);

    private TrellisPlot() {}

    /**
     * @param betaHat normalised β̂, [layers][4][3]; slot d of node (l, u) is the edge to level u+d−1.
     *                Entries of invalid slots are ignored (they should be 0).
     * @param path    decoded path, path[l−1] = level of layer l, starting from the stem node (0, 0)
     * @param layers  L, the number of cell layers
     */
    public static void write(Path png, double[][][] betaHat, int[] path, int layers) throws IOException {
        validate(betaHat, path, layers);
        Png.headless();
        XYChart c = new XYChart(WIDTH, HEIGHT);
        c.setTitle(String.format(Locale.ROOT,
                "Network level: β̂ per edge (width, opacity) and the decoded path (L = %d)", layers));
        c.setXAxisTitle("layer  (0 = stem)");
        c.setYAxisTitle("level  (finer at the top)");
        style(c.getStyler(), layers);

        for (int l = 0; l < layers; l++) {
            for (int u = 0; u <= Math.min(l, LEVELS - 1); u++) {
                for (int d = 0; d < 3; d++) {
                    int v = u + d - 1;
                    if (!validSlot(l, u, d)) continue;
                    double w = betaHat[l][u][d];
                    XYSeries s = c.addSeries("edge " + l + "." + u + "." + d, new double[] {l, l + 1}, new double[] {-u, -v});
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineColor(new Color(EDGE.getRed(), EDGE.getGreen(), EDGE.getBlue(), (int) Math.round(35 + 200 * w)));
                    s.setLineStyle(new BasicStroke((float) (0.8 + 9 * w), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                    s.setShowInLegend(false);
                }
            }
        }

        XYSeries key = c.addSeries("edge: width, opacity ∝ β̂", new double[] {0}, new double[] {0});
        key.setMarker(SeriesMarkers.NONE);
        key.setLineColor(new Color(EDGE.getRed(), EDGE.getGreen(), EDGE.getBlue(), 160));
        key.setLineStyle(new BasicStroke(5f));

        int nodes = 0;
        for (int l = 0; l <= layers; l++) nodes += Math.min(l, LEVELS - 1) + 1;
        double[] nx = new double[nodes], ny = new double[nodes];
        int n = 0;
        for (int l = 0; l <= layers; l++) for (int v = 0; v <= Math.min(l, LEVELS - 1); v++) { nx[n] = l; ny[n] = -v; n++; }
        XYSeries dots = c.addSeries("node", nx, ny);
        dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        dots.setMarker(SeriesMarkers.CIRCLE);
        dots.setMarkerColor(NODE);

        double[] px = new double[layers + 1], py = new double[layers + 1];
        for (int l = 1; l <= layers; l++) { px[l] = l; py[l] = -path[l - 1]; }
        XYSeries p = c.addSeries("decoded path", px, py);
        p.setLineColor(PATH);
        p.setMarkerColor(PATH);
        p.setMarker(SeriesMarkers.CIRCLE);
        p.setLineStyle(new BasicStroke(4.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        BufferedImage img = Png.render(c);
        Graphics2D g = Png.graphics(img);
        g.setFont(Png.font(Font.BOLD, 13));
        for (int l = 0; l < layers; l++) {
            int u = l == 0 ? 0 : path[l - 1], d = path[l] - u + 1;
            String label = String.format(Locale.ROOT, "%.2f", betaHat[l][u][d]);
            Png.tag(g, label, c.getScreenXFromChart(l + 0.5), c.getScreenYFromChart(-(u + path[l]) / 2.0), PATH);
        }
        g.dispose();
        Png.write(png, img);
    }

    private static void style(XYStyler s, int layers) {
        s.setLocale(Locale.ROOT);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotGridLinesColor(new Color(235, 235, 235));
        s.setChartTitleFont(Png.font(Font.BOLD, 18));
        s.setAxisTitleFont(Png.font(Font.PLAIN, 15));
        s.setAxisTickLabelsFont(Png.font(Font.PLAIN, 14));
        s.setLegendFont(Png.font(Font.PLAIN, 14));
        s.setLegendPosition(Styler.LegendPosition.InsideSW);
        s.setChartPadding(14);
        s.setMarkerSize(14);
        s.setXAxisMin(-0.4);
        s.setXAxisMax(layers + 0.4);
        s.setYAxisMin(-(LEVELS - 1) - 0.4);
        s.setYAxisMax(0.45);
        // Ticks fall on whole layers / levels with these hints; XChart drops all ticks when two
        // labels format alike, so any other tick value keeps a distinct label.
        s.setXAxisTickMarkSpacingHint(Math.max(40, (int) (0.8 * (WIDTH - 260) / (layers + 0.8))));
        s.setYAxisTickMarkSpacingHint(100);
        s.setxAxisTickLabelsFormattingFunction(x -> integral(x) ? Long.toString(Math.round(x)) : String.format(Locale.ROOT, "%.2f", x));
        s.setyAxisTickLabelsFormattingFunction(y -> {
            if (!integral(y) || y > 0.01 || y < -(LEVELS - 1) - 0.01) return String.format(Locale.ROOT, "%.2f", y);
            int v = (int) -Math.round(y);
            return "level " + v + " · rate " + (4 << v);
        });
    }

    private static boolean integral(double x) { return Math.abs(x - Math.rint(x)) < 1e-6; }

    /** Whether β slot (l, u, d) is an edge: node (l, u) exists and u+d−1 is a level. */
    static boolean validSlot(int l, int u, int d) {
        int v = u + d - 1;
        return u <= Math.min(l, LEVELS - 1) && v >= 0 && v < LEVELS;
    }

    private static void validate(double[][][] betaHat, int[] path, int layers) {
        if (layers < 1) throw new IllegalArgumentException("TrellisPlot: layers must be >= 1, got " + layers);
        if (betaHat == null || betaHat.length != layers) {
            throw new IllegalArgumentException("TrellisPlot: betaHat has " + (betaHat == null ? "null" : betaHat.length)
                    + " layers; expected [L][4][3] with L = " + layers);
        }
        for (int l = 0; l < layers; l++) {
            if (betaHat[l] == null || betaHat[l].length != LEVELS) {
                throw new IllegalArgumentException("TrellisPlot: betaHat[" + l + "] has "
                        + (betaHat[l] == null ? "null" : betaHat[l].length) + " levels; expected [L][4][3]");
            }
            for (int u = 0; u < LEVELS; u++) {
                if (betaHat[l][u] == null || betaHat[l][u].length != 3) {
                    throw new IllegalArgumentException("TrellisPlot: betaHat[" + l + "][" + u + "] has "
                            + (betaHat[l][u] == null ? "null" : betaHat[l][u].length) + " entries; expected 3 (finer, same, coarser)");
                }
                for (int d = 0; d < 3; d++) {
                    double w = betaHat[l][u][d];
                    if (validSlot(l, u, d) && !(w >= 0 && w <= 1 + 1e-6)) {
                        throw new IllegalArgumentException("TrellisPlot: betaHat[" + l + "][" + u + "][" + d + "] = " + w
                                + " is not a normalised weight in [0, 1]");
                    }
                }
            }
        }
        if (path == null || path.length != layers) {
            throw new IllegalArgumentException("TrellisPlot: path has " + (path == null ? "null" : path.length)
                    + " entries; expected one level per layer, L = " + layers);
        }
        int prev = 0;
        for (int l = 1; l <= layers; l++) {
            int v = path[l - 1];
            if (v < 0 || v > Math.min(l, LEVELS - 1)) {
                throw new IllegalArgumentException("TrellisPlot: path[" + (l - 1) + "] = " + v + ": layer " + l
                        + " has levels 0.." + Math.min(l, LEVELS - 1));
            }
            if (Math.abs(v - prev) > 1) {
                throw new IllegalArgumentException("TrellisPlot: path jumps from level " + prev + " at layer " + (l - 1)
                        + " to level " + v + " at layer " + l + "; a step changes the level by at most 1");
            }
            prev = v;
        }
    }
}
