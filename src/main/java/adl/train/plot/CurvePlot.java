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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Loss and mIoU curves of a search run (DESIGN §9): train and arch loss per iteration, val loss
 * per epoch (top panel); val mIoU per epoch (bottom panel, omitted until the first epoch ends).
 * x is the global iteration; an epoch's point sits at the iteration that closed it. NaN values are
 * skipped. Long per-iteration curves are drawn faint with a moving mean on top.
 */
public final class CurvePlot {
    static final int WIDTH = 1200, LOSS_HEIGHT = 540, MIOU_HEIGHT = 340;
    private static final Color TRAIN = new Color(31, 119, 180), ARCH = new Color(255, 127, 14),
            VAL = new Color(44, 160, 44), MIOU = new Color(148, 52, 160);
    /** Per-iteration curves with at least this many points get a moving mean drawn over them. */
    static final int SMOOTH_FROM = 100;

    private CurvePlot() {}

    /** Writes the curves of {@code rows} (any order; sorted by iteration here) to {@code png}. */
    public static void write(Path png, List<MetricsRow> rows) throws IOException {
        if (rows == null || rows.isEmpty()) throw new IllegalArgumentException("CurvePlot: no metrics rows to plot");
        for (MetricsRow r : rows) if (r == null) throw new IllegalArgumentException("CurvePlot: null metrics row");
        List<MetricsRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(MetricsRow::iteration));
        double xMin = sorted.getFirst().iteration(), xMax = sorted.getLast().iteration();
        if (xMax <= xMin) xMax = xMin + 1;

        XYChart loss = chart(LOSS_HEIGHT, title(sorted), "loss", xMin, xMax);
        anchor(loss, xMax, sorted, MetricsRow::trainLoss, MetricsRow::archLoss, MetricsRow::valLoss);
        boolean any = perIteration(loss, "train loss", sorted, MetricsRow::trainLoss, TRAIN);
        any |= perIteration(loss, "arch loss", sorted, MetricsRow::archLoss, ARCH);
        any |= perEpoch(loss, "val loss", sorted, MetricsRow::valLoss, VAL, "");
        if (!any) throw new IllegalArgumentException("CurvePlot: all " + rows.size() + " rows have NaN losses; nothing to plot");
        loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);

        XYChart miou = null;
        if (points(sorted, MetricsRow::valMiou).x.length > 0) {
            miou = chart(MIOU_HEIGHT, "validation mIoU", "mIoU", xMin, xMax);
            anchor(miou, xMax, sorted, MetricsRow::valMiou);
            perEpoch(miou, "val mIoU", sorted, MetricsRow::valMiou, MIOU, best(sorted));
            miou.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        }

        BufferedImage top = Png.render(loss);
        int height = top.getHeight() + (miou == null ? 0 : MIOU_HEIGHT);
        BufferedImage img = Png.canvas(WIDTH, height);
        Graphics2D g = Png.graphics(img);
        g.drawImage(top, 0, 0, null);
        if (miou != null) g.drawImage(Png.render(miou), 0, top.getHeight(), null);
        g.dispose();
        Png.write(png, img);
    }

    private static XYChart chart(int height, String title, String yTitle, double xMin, double xMax) {
        Png.headless();
        XYChart c = new XYChart(WIDTH, height);
        c.setTitle(title);
        c.setXAxisTitle("iteration");
        c.setYAxisTitle(yTitle);
        XYStyler s = c.getStyler();
        s.setLocale(Locale.ROOT);
        s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setChartTitleFont(Png.font(Font.BOLD, 18));
        s.setAxisTitleFont(Png.font(Font.PLAIN, 15));
        s.setAxisTickLabelsFont(Png.font(Font.PLAIN, 13));
        s.setLegendFont(Png.font(Font.PLAIN, 14));
        s.setLegendBorderColor(new Color(200, 200, 200));
        s.setChartPadding(12);
        s.setXAxisMin(xMin);
        s.setXAxisMax(xMax);
        s.setYAxisDecimalPattern("0.00");
        s.setMarkerSize(8);
        return c;
    }

    /**
     * Adds an invisible first point at x = xMax. XChart 3.8 puts x ticks on data values when the
     * x values (in series order) are equally spaced, which gives ticks like 223, 446, ...; this
     * point breaks the spacing so both panels get the same round ticks.
     */
    @SafeVarargs
    private static void anchor(XYChart c, double xMax, List<MetricsRow> rows, ToDoubleFunction<MetricsRow>... fs) {
        for (ToDoubleFunction<MetricsRow> f : fs) {
            Points p = points(rows, f);
            if (p.y.length == 0) continue;
            XYSeries s = c.addSeries(" ", new double[] {xMax}, new double[] {p.y[0]});
            s.setMarker(SeriesMarkers.NONE);
            s.setShowInLegend(false);
            return;
        }
    }

    /** Adds a per-iteration curve; a faint raw line plus a moving mean once it is long. */
    private static boolean perIteration(XYChart c, String name, List<MetricsRow> rows, ToDoubleFunction<MetricsRow> f, Color color) {
        Points p = points(rows, f);
        if (p.x.length == 0) return false;
        if (p.x.length < SMOOTH_FROM) {
            XYSeries s = c.addSeries(name, p.x, p.y);
            s.setLineColor(color);
            s.setLineWidth(2f);
            s.setMarkerColor(color);
            s.setMarker(p.x.length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            return true;
        }
        XYSeries raw = c.addSeries(name, p.x, p.y);
        raw.setLineColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
        raw.setLineWidth(1f);
        raw.setMarker(SeriesMarkers.NONE);
        int window = Math.max(5, p.x.length / 60);
        XYSeries mean = c.addSeries(name + " (mean of last " + window + ")", p.x, movingMean(p.y, window));
        mean.setLineColor(color);
        mean.setLineStyle(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        mean.setMarker(SeriesMarkers.NONE);
        return true;
    }

    /** Adds a per-epoch curve with a marker on each epoch's end. */
    private static boolean perEpoch(XYChart c, String name, List<MetricsRow> rows, ToDoubleFunction<MetricsRow> f, Color color, String suffix) {
        Points p = points(rows, f);
        if (p.x.length == 0) return false;
        XYSeries s = c.addSeries(name + suffix, p.x, p.y);
        s.setLineColor(color);
        s.setLineWidth(2.5f);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(color);
        return true;
    }

    /** Trailing mean over the last {@code window} values (fewer at the start). */
    static double[] movingMean(double[] y, int window) {
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= window) sum -= y[i - window];
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }

    private record Points(double[] x, double[] y) {}

    private static Points points(List<MetricsRow> rows, ToDoubleFunction<MetricsRow> f) {
        double[] x = new double[rows.size()], y = new double[rows.size()];
        int n = 0;
        for (MetricsRow r : rows) {
            double v = f.applyAsDouble(r);
            if (Double.isFinite(v)) { x[n] = r.iteration(); y[n] = v; n++; }
        }
        return new Points(java.util.Arrays.copyOf(x, n), java.util.Arrays.copyOf(y, n));
    }

    private static String best(List<MetricsRow> rows) {
        MetricsRow best = null;
        for (MetricsRow r : rows) if (Double.isFinite(r.valMiou()) && (best == null || r.valMiou() > best.valMiou())) best = r;
        return best == null ? "" : String.format(Locale.ROOT, " (best %.4f, epoch %d)", best.valMiou(), best.epoch());
    }

    private static String title(List<MetricsRow> rows) {
        MetricsRow last = rows.getLast();
        long s = Math.round(last.seconds());
        String time = Double.isFinite(last.seconds()) && s >= 0
                ? String.format(Locale.ROOT, ", %d:%02d:%02d elapsed", s / 3600, s / 60 % 60, s % 60) : "";
        return String.format(Locale.ROOT, "Search losses: epoch %d, iteration %d%s", last.epoch(), last.iteration(), time);
    }
}
