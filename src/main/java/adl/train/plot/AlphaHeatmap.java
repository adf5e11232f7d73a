package adl.train.plot;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cell-level architecture weights α (DESIGN §5) as an edges × ops heatmap of softmax(α) per
 * row, the mixing weights of each MixedOp. Row e = Σ_{k<i}(2 + k) + j is the edge into block i
 * from state j, labelled "b<i>←s<j>"; states 0 and 1 are H^{l-1} and H^{l-2}, 2 + k is block k.
 */
public final class AlphaHeatmap {
    static final int WIDTH = 1300;
    private static final int ROW_PX = 36, FRAME_PX = 230, MIN_VALUE_ROW_PX = 16;

    private AlphaHeatmap() {}

    /**
     * @param alpha   raw α, [B(B+3)/2][opNames.length]; the softmax of each row is taken here
     * @param opNames the op of each α column, in column order
     * @param blocks  B, the blocks per cell
     */
    public static void write(Path png, double[][] alpha, String[] opNames, int blocks) throws IOException {
        validate(alpha, opNames, blocks);
        int edges = alpha.length, ops = opNames.length;
        double[][] p = new double[edges][];
        double max = 0;
        for (int e = 0; e < edges; e++) {
            p[e] = softmax(alpha[e]);
            for (double v : p[e]) max = Math.max(max, v);
        }

        Png.headless();
        int rowPx = Math.max(10, Math.min(ROW_PX, 1600 / edges));
        HeatMapChart c = new HeatMapChart(WIDTH, FRAME_PX + rowPx * edges, Styler.ChartTheme.XChart);
        c.setTitle(String.format(Locale.ROOT, "Cell architecture: softmax(α) per edge (B = %d, %d edges; uniform = 1/%d)", blocks, edges, ops));
        c.setXAxisTitle("operation      (states: s0 = H^{l-1}, s1 = H^{l-2}, s<2+k> = block k)");
        c.setYAxisTitle("edge  b<i>←s<j>: into block i from state j");
        List<String> x = List.of(opNames);
        List<String> y = new ArrayList<>(edges);
        List<Number[]> cells = new ArrayList<>(edges * ops);
        // XChart draws y index 0 at the bottom: list edges bottom-up so edge 0 sits at the top.
        for (int row = 0; row < edges; row++) {
            int e = edges - 1 - row;
            y.add(edgeLabel(e));
            for (int k = 0; k < ops; k++) cells.add(new Number[] {k, row, p[e][k]});
        }
        c.addSeries("softmax(α)", x, y, cells);

        HeatMapStyler s = c.getStyler();
        s.setLocale(Locale.ROOT);
        s.setChartBackgroundColor(Color.WHITE);
        s.setChartTitleFont(Png.font(Font.BOLD, 18));
        s.setAxisTitleFont(Png.font(Font.PLAIN, 14));
        s.setAxisTickLabelsFont(Png.font(Font.PLAIN, 14));
        s.setLegendFont(Png.font(Font.PLAIN, 13));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartPadding(14);
        s.setRangeColors(new Color[] {new Color(255, 255, 255), new Color(254, 224, 139), new Color(244, 109, 67), new Color(190, 30, 45)});
        s.setMin(0);
        s.setMax(Math.min(1, Math.ceil(max * 20 - 1e-9) / 20));
        s.setPlotGridLinesVisible(false);
        s.setDrawBorder(true);
        s.setShowValue(rowPx >= MIN_VALUE_ROW_PX);
        s.setValueFont(Png.font(Font.PLAIN, Math.min(14, rowPx - 4)));
        s.setValueFontColor(Color.BLACK);
        s.setHeatMapValueDecimalPattern("0.000");
        s.setDecimalPattern("0.000");
        s.setGradientColorColumnHeight(Math.max(120, rowPx * edges - 60));
        Png.write(png, Png.render(c));
    }

    /** "b<i>←s<j>" for α row {@code e}: row e = Σ_{k<i}(2 + k) + j. */
    static String edgeLabel(int e) {
        int i = 0, start = 0;
        while (e >= start + 2 + i) { start += 2 + i; i++; }
        return "b" + i + "←s" + (e - start);
    }

    /** Numerically stable softmax of one α row. */
    static double[] softmax(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) m = Math.max(m, v);
        double[] out = new double[a.length];
        double sum = 0;
        for (int k = 0; k < a.length; k++) { out[k] = Math.exp(a[k] - m); sum += out[k]; }
        for (int k = 0; k < a.length; k++) out[k] /= sum;
        return out;
    }

    private static void validate(double[][] alpha, String[] opNames, int blocks) {
        if (blocks < 1) throw new IllegalArgumentException("AlphaHeatmap: blocks must be >= 1, got " + blocks);
        if (opNames == null || opNames.length == 0) throw new IllegalArgumentException("AlphaHeatmap: no op names");
        for (int k = 0; k < opNames.length; k++) {
            if (opNames[k] == null || opNames[k].isBlank()) throw new IllegalArgumentException("AlphaHeatmap: op name " + k + " is empty");
        }
        int edges = blocks * (blocks + 3) / 2;
        if (alpha == null || alpha.length != edges) {
            throw new IllegalArgumentException("AlphaHeatmap: alpha has " + (alpha == null ? "null" : alpha.length)
                    + " rows; B = " + blocks + " blocks need B(B+3)/2 = " + edges + " edges");
        }
        for (int e = 0; e < edges; e++) {
            if (alpha[e] == null || alpha[e].length != opNames.length) {
                throw new IllegalArgumentException("AlphaHeatmap: alpha row " + e + " (" + edgeLabel(e) + ") has "
                        + (alpha[e] == null ? "null" : alpha[e].length) + " columns; expected " + opNames.length + " (one per op name)");
            }
            for (int k = 0; k < alpha[e].length; k++) {
                if (!Double.isFinite(alpha[e][k])) {
                    throw new IllegalArgumentException("AlphaHeatmap: alpha[" + e + "][" + k + "] = " + alpha[e][k] + " is not finite");
                }
            }
        }
    }
}
