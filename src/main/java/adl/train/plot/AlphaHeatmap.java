package adl.train.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cell-level architecture weights α (docs/02-search-space.md §2) as an edges × ops heatmap of softmax(α) per
 * row, the mixing weights of each MixedOp. Row e = Σ_{k<i}(2 + k) + j is the edge into block i
 * from state j, labelled "b<i>←s<j>"; states 0 and 1 are H^{l-1} and H^{l-2}, 2 + k is block k.
 * The colour scale runs from the smallest to the largest value shown (softmax weights of a short
 * search differ in the second decimal), and the ops the decoder kept are outlined in black.
 */
public final class AlphaHeatmap {
    static final int WIDTH = 1300;
    private static final int ROW_PX = 36, LEFT = 120, TOP = 96, BAR = 150, BOTTOM = 70, MIN_VALUE_ROW_PX = 16;
    private static final Color[] RAMP = {new Color(255, 255, 255), new Color(254, 224, 139), new Color(244, 109, 67), new Color(190, 30, 45)};

    private AlphaHeatmap() {}

    /** As {@link #write(Path, double[][], String[], int, List, List)} with nothing outlined. */
    public static void write(Path png, double[][] alpha, String[] opNames, int blocks) throws IOException {
        write(png, alpha, opNames, blocks, List.of(), List.of());
    }

    /**
     * @param alpha      raw α, [B(B+3)/2][opNames.length]; the softmax of each row is taken here
     * @param opNames    the op of each α column, in column order
     * @param blocks     B, the blocks per cell
     * @param keptOps    the decoded cell's ops, two per block (entry k belongs to block k/2); empty: none marked
     * @param keptInputs the state each kept op reads, parallel to {@code keptOps}
     */
    public static void write(Path png, double[][] alpha, String[] opNames, int blocks, List<String> keptOps, List<Integer> keptInputs) throws IOException {
        validate(alpha, opNames, blocks);
        int edges = alpha.length, ops = opNames.length;
        boolean[][] kept = kept(edges, opNames, keptOps, keptInputs);
        double[][] p = new double[edges][];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < edges; e++) {
            p[e] = softmax(alpha[e]);
            for (double v : p[e]) { min = Math.min(min, v); max = Math.max(max, v); }
        }
        if (max - min < 1e-9) { min -= 0.005; max += 0.005; }
        String fmt = "%." + decimals(max - min) + "f";

        int rowPx = Math.max(10, Math.min(ROW_PX, 1600 / edges));
        int colPx = (WIDTH - LEFT - BAR - 20) / ops;
        int height = TOP + rowPx * edges + BOTTOM;
        BufferedImage img = Png.canvas(WIDTH, height);
        Graphics2D g = Png.graphics(img);
        g.setColor(Color.BLACK);
        g.setFont(Png.font(Font.BOLD, 18));
        g.drawString(String.format(Locale.ROOT, "Cell architecture: softmax(α) per edge (B = %d, %d edges; uniform = 1/%d = %.3f)",
                blocks, edges, ops, 1.0 / ops), 14, 28);
        g.setFont(Png.font(Font.PLAIN, 14));
        g.drawString("rows: edge b<i>←s<j> into block i from state j (s0 = H^{l-1}, s1 = H^{l-2}, s<2+k> = block k);"
                + " black frame: op kept by the decoder", 14, 52);
        FontMetrics fm = g.getFontMetrics();
        for (int k = 0; k < ops; k++) {
            String name = opNames[k];
            g.drawString(name, LEFT + k * colPx + (colPx - fm.stringWidth(name)) / 2, TOP - 12);
        }
        g.setFont(Png.font(Font.PLAIN, Math.min(14, Math.max(9, rowPx - 4))));
        fm = g.getFontMetrics();
        for (int e = 0; e < edges; e++) {
            int y = TOP + e * rowPx;
            g.setColor(Color.BLACK);
            String label = edgeLabel(e);
            g.drawString(label, LEFT - 10 - fm.stringWidth(label), y + (rowPx + fm.getAscent() - fm.getDescent()) / 2);
            for (int k = 0; k < ops; k++) {
                double t = (p[e][k] - min) / (max - min);
                Color c = ramp(t);
                g.setColor(c);
                g.fillRect(LEFT + k * colPx, y, colPx, rowPx);
                if (rowPx >= MIN_VALUE_ROW_PX) {
                    String v = String.format(Locale.ROOT, fmt, p[e][k]);
                    g.setColor(luminance(c) < 0.45 ? Color.WHITE : Color.BLACK);
                    g.drawString(v, LEFT + k * colPx + (colPx - fm.stringWidth(v)) / 2, y + (rowPx + fm.getAscent() - fm.getDescent()) / 2);
                }
            }
            // block boundaries: a darker line above the first edge of each block
            if (edgeLabel(e).endsWith("s0") && e > 0) {
                g.setColor(new Color(120, 120, 120));
                g.drawLine(LEFT, y, LEFT + ops * colPx, y);
            }
        }
        g.setColor(new Color(160, 160, 160));
        g.drawRect(LEFT, TOP, ops * colPx, edges * rowPx);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(3.5f));
        for (int e = 0; e < edges; e++) for (int k = 0; k < ops; k++) {
            if (kept[e][k]) g.drawRect(LEFT + k * colPx + 2, TOP + e * rowPx + 2, colPx - 4, rowPx - 4);
        }
        colourBar(g, LEFT + ops * colPx + 40, TOP, edges * rowPx, min, max, fmt);
        g.dispose();
        Png.write(png, img);
    }

    /** A vertical colour bar from min (bottom) to max (top) with five labelled ticks. */
    private static void colourBar(Graphics2D g, int x, int y, int h, double min, double max, String fmt) {
        for (int i = 0; i < h; i++) {
            g.setColor(ramp(1 - i / (double) (h - 1)));
            g.fillRect(x, y + i, 24, 1);
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.GRAY);
        g.drawRect(x, y, 24, h);
        g.setColor(Color.BLACK);
        g.setFont(Png.font(Font.PLAIN, 13));
        for (int t = 0; t <= 4; t++) {
            int ty = y + h - t * (h - 1) / 4;
            g.drawLine(x + 24, ty, x + 29, ty);
            g.drawString(String.format(Locale.ROOT, fmt, min + (max - min) * t / 4), x + 33, ty + 5);
        }
    }

    /**
     * Decimals that tell the values of a range apart: 3, or more when the range is narrow (before
     * the architecture steps start, α is its initial noise and softmax(α) differs in the 4th or 5th
     * decimal), at most 6.
     */
    static int decimals(double range) {
        return (int) Math.max(3, Math.min(6, Math.ceil(-Math.log10(range)) + 1));
    }

    /** White → yellow → orange → red over t ∈ [0, 1]. */
    static Color ramp(double t) {
        t = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
        int i = Math.min(RAMP.length - 2, (int) t);
        double f = t - i;
        Color a = RAMP[i], b = RAMP[i + 1];
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())), (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    private static double luminance(Color c) { return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255; }

    /** kept[e][k]: op k of edge e is in the decoded cell (entry i of block i/2 reads state keptInputs[i]). */
    static boolean[][] kept(int edges, String[] opNames, List<String> keptOps, List<Integer> keptInputs) {
        if (keptOps.size() != keptInputs.size()) throw new IllegalArgumentException("AlphaHeatmap: " + keptOps.size() + " kept ops but " + keptInputs.size() + " inputs");
        boolean[][] kept = new boolean[edges][opNames.length];
        for (int i = 0; i < keptOps.size(); i++) {
            int block = i / 2, input = keptInputs.get(i);
            if (input < 0 || input >= 2 + block) throw new IllegalArgumentException("AlphaHeatmap: kept op " + i + " of block " + block + " reads state " + input);
            int row = block * (block + 3) / 2 + input, col = Arrays.asList(opNames).indexOf(keptOps.get(i));
            if (row >= edges || col < 0) throw new IllegalArgumentException("AlphaHeatmap: kept op " + keptOps.get(i) + " from state " + input + " is not in the heatmap");
            kept[row][col] = true;
        }
        return kept;
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
