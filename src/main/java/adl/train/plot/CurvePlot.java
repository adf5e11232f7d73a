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
 * Loss and mIoU curves of a search run (docs/10-run-directory.md §1): train and arch loss per iteration, val loss
 * per epoch (top panel; a log y axis when a loss spikes, {@link #spiky}); val mIoU per epoch (bottom panel, omitted until the first epoch ends).
 * x is the global iteration; an epoch's point sits at the iteration that closed it. NaN values are
 * skipped. Long per-iteration curves are drawn light (reduced to per-bucket min and max) with a
 * moving mean on top.
 */
public final class CurvePlot {
    static final int WIDTH = 1200, LOSS_HEIGHT = 540, MIOU_HEIGHT = 340;
    private static final Color TRAIN = new Color(31, 119, 180), ARCH = new Color(255, 127, 14),
            VAL = new Color(44, 160, 44), MIOU = new Color(148, 52, 160);
    /** Per-iteration curves with at least this many points get a moving mean drawn over them. */
    static final int SMOOTH_FROM = 100;
    /** Long raw curves are reduced to this many points (bucket min and max), about 2 per pixel column. */
    static final int RAW_POINTS = 2400;

    private CurvePlot() {}

    /** Writes the curves of a search's {@code rows} (any order; sorted by iteration here) to {@code png}. */
    public static void write(Path png, List<MetricsRow> rows) throws IOException { write(png, rows, true); }

    /**
     * As {@link #write(Path, List)}; {@code search} false: a retrain run, whose validations are
     * named by their iteration instead of an epoch.
     */
    public static void write(Path png, List<MetricsRow> rows, boolean search) throws IOException {
        if (rows == null || rows.isEmpty()) throw new IllegalArgumentException("CurvePlot: no metrics rows to plot");
        for (MetricsRow r : rows) if (r == null) throw new IllegalArgumentException("CurvePlot: null metrics row");
        List<MetricsRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(MetricsRow::iteration));
        double xMin = sorted.getFirst().iteration(), xMax = sorted.getLast().iteration();
        if (xMax <= xMin) xMax = xMin + 1;

        boolean log = spiky(sorted);
        XYChart loss = chart(LOSS_HEIGHT, title(sorted, search), log ? "loss (log scale)" : "loss", xMin, xMax);
        if (log) {
            // one early validation loss can be 100-100,000× the training loss (README, "why the
            // validation loss spikes early") and would flatten every other curve on a linear axis
            loss.getStyler().setYAxisLogarithmic(true);
            loss.getStyler().setYAxisDecimalPattern("#,##0.###");
        }
        anchor(loss, xMax, sorted, MetricsRow::trainLoss, MetricsRow::archLoss, MetricsRow::valLoss);
        boolean any = perIteration(loss, "train loss", sorted, MetricsRow::trainLoss, TRAIN);
        any |= perIteration(loss, "arch loss", sorted, MetricsRow::archLoss, ARCH);
        addMean(loss, "train loss", sorted, MetricsRow::trainLoss, TRAIN);
        addMean(loss, "arch loss", sorted, MetricsRow::archLoss, ARCH);
        any |= perEpoch(loss, "val loss", sorted, MetricsRow::valLoss, VAL, "");
        if (!any) throw new IllegalArgumentException("CurvePlot: all " + rows.size() + " rows have NaN losses; nothing to plot");
        loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);

        XYChart miou = null;
        if (points(sorted, MetricsRow::valMiou).x.length > 0) {
            miou = chart(MIOU_HEIGHT, "validation mIoU", "mIoU", xMin, xMax);
            anchor(miou, xMax, sorted, MetricsRow::valMiou);
            perEpoch(miou, "val mIoU", sorted, MetricsRow::valMiou, MIOU, best(sorted, search));
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

    /**
     * Adds a per-iteration curve. Short curves are one solid line; long ones are a light raw line
     * (at most {@link #RAW_POINTS} points: per-bucket min and max) now, and a moving mean added by
     * {@link #addMean} once every raw line is down, so no raw band hides a mean.
     */
    private static boolean perIteration(XYChart c, String name, List<MetricsRow> rows, ToDoubleFunction<MetricsRow> f, Color color) {
        Points p = points(rows, f);
        if (p.x.length == 0) return false;
        boolean shortCurve = p.x.length < SMOOTH_FROM;
        Points raw = shortCurve ? p : envelope(p);
        XYSeries s = c.addSeries(name, raw.x, raw.y);
        s.setMarker(p.x.length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setMarkerColor(color);
        s.setLineColor(shortCurve ? color : light(color));
        s.setLineWidth(shortCurve ? 2f : 1f);
        return true;
    }

    private static void addMean(XYChart c, String name, List<MetricsRow> rows, ToDoubleFunction<MetricsRow> f, Color color) {
        Points p = points(rows, f);
        if (p.x.length < SMOOTH_FROM) return;
        int n = p.x.length, window = Math.max(5, n / 60), skip = window / 5, step = Math.max(1, (n - skip) / RAW_POINTS);
        double[] m = movingMean(p.y, window);
        int count = (n - 1 - skip) / step + 1;
        double[] x = new double[count + 1], y = new double[count + 1];
        for (int k = 0; k < count; k++) { x[k] = p.x[skip + k * step]; y[k] = m[skip + k * step]; }
        x[count] = p.x[n - 1];
        y[count] = m[n - 1];
        // The first window/5 means average too few points to be smooth; every step-th one is enough to draw.
        XYSeries mean = c.addSeries(name + " (mean of last " + window + ")", x, y);
        mean.setLineColor(color);
        mean.setLineStyle(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        mean.setMarker(SeriesMarkers.NONE);
    }

    /** {@code color} mixed 40 : 60 with white, opaque (thousands of translucent segments saturate). */
    private static Color light(Color color) {
        return new Color((color.getRed() * 2 + 255 * 3) / 5, (color.getGreen() * 2 + 255 * 3) / 5, (color.getBlue() * 2 + 255 * 3) / 5);
    }

    /** At most {@link #RAW_POINTS} points: each bucket of consecutive points gives its min and max, in x order. */
    static Points envelope(Points p) {
        int n = p.x.length;
        if (n <= RAW_POINTS) return p;
        int bucket = (n + RAW_POINTS / 2 - 1) / (RAW_POINTS / 2);
        double[] x = new double[RAW_POINTS + 2], y = new double[RAW_POINTS + 2];
        int m = 0;
        for (int start = 0; start < n; start += bucket) {
            int lo = start, hi = start;
            for (int i = start; i < Math.min(n, start + bucket); i++) {
                if (p.y[i] < p.y[lo]) lo = i;
                if (p.y[i] > p.y[hi]) hi = i;
            }
            int first = Math.min(lo, hi), second = Math.max(lo, hi);
            x[m] = p.x[first]; y[m++] = p.y[first];
            if (second != first) { x[m] = p.x[second]; y[m++] = p.y[second]; }
        }
        return new Points(java.util.Arrays.copyOf(x, m), java.util.Arrays.copyOf(y, m));
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

    /** A loss this many times the median training loss makes the loss axis logarithmic. */
    static final double SPIKE = 10;

    /** True when some loss exceeds {@link #SPIKE} × the median training loss: the loss panel then uses a log axis. */
    public static boolean spiky(List<MetricsRow> rows) {
        double[] train = rows.stream().mapToDouble(MetricsRow::trainLoss).filter(Double::isFinite).sorted().toArray();
        if (train.length == 0) return false;
        double median = train[train.length / 2], max = 0;
        for (MetricsRow r : rows) {
            for (double v : new double[] {r.trainLoss(), r.archLoss(), r.valLoss()}) if (Double.isFinite(v)) max = Math.max(max, v);
        }
        return max > SPIKE * median;
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

    record Points(double[] x, double[] y) {}

    private static Points points(List<MetricsRow> rows, ToDoubleFunction<MetricsRow> f) {
        double[] x = new double[rows.size()], y = new double[rows.size()];
        int n = 0;
        for (MetricsRow r : rows) {
            double v = f.applyAsDouble(r);
            if (Double.isFinite(v)) { x[n] = r.iteration(); y[n] = v; n++; }
        }
        return new Points(java.util.Arrays.copyOf(x, n), java.util.Arrays.copyOf(y, n));
    }

    static String best(List<MetricsRow> rows, boolean search) {
        MetricsRow best = null;
        for (MetricsRow r : rows) if (Double.isFinite(r.valMiou()) && (best == null || r.valMiou() > best.valMiou())) best = r;
        if (best == null) return "";
        return search ? String.format(Locale.ROOT, " (best %.4f, epoch %d)", best.valMiou(), best.epoch())
                : String.format(Locale.ROOT, " (best %.4f, iteration %d)", best.valMiou(), best.iteration());
    }

    static String title(List<MetricsRow> rows, boolean search) {
        MetricsRow last = rows.getLast();
        long s = Math.round(last.seconds());
        String time = Double.isFinite(last.seconds()) && s >= 0
                ? String.format(Locale.ROOT, ", %d:%02d:%02d elapsed", s / 3600, s / 60 % 60, s % 60) : "";
        return search ? String.format(Locale.ROOT, "Search losses: epoch %d, iteration %d%s", last.epoch(), last.iteration(), time)
                : String.format(Locale.ROOT, "Retrain losses: iteration %d%s", last.iteration(), time);
    }
}
