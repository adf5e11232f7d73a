package adl.train.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.font.FontRenderContext;
import java.awt.font.TextAttribute;
import java.awt.font.TextLayout;
import java.awt.geom.CubicCurve2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.AttributedString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The decoded cell (docs/04-decoding.md §1) as an arc diagram, left to right: H^{l-2} (state 1), H^{l-1}
 * (state 0), block 0 .. block B−1 (state 2 + k), output. Each block's two inputs are arcs above
 * the row, labelled with their op and coloured by op family; the concat of all blocks into the
 * output is a grey rail below the row.
 */
public final class CellPlot {
    private static final int MARGIN = 90, COL = 168, BOX_W = 124, BOX_H = 48, TOP = 70, RISE = 40, BASE_RISE = 34, RAIL = 46;
    private static final Color INPUT = new Color(219, 233, 246), BLOCK = new Color(255, 242, 204),
            OUTPUT = new Color(217, 240, 211), CONCAT = new Color(150, 150, 150), INK = new Color(40, 40, 40);

    private CellPlot() {}

    private record Arc(int from, int to, String op) {
        int span() { return to - from; }
    }

    /**
     * @param ops    2B op names; ops[2b], ops[2b+1] are block b's two ops
     * @param inputs 2B input states; inputs[2b+j] in 0..b+1 (0 = H^{l-1}, 1 = H^{l-2}, 2+k = block k)
     * @param blocks B
     */
    public static void write(Path png, List<String> ops, List<Integer> inputs, int blocks) throws IOException {
        validate(ops, inputs, blocks);
        int n = blocks + 3;
        List<Arc> arcs = new ArrayList<>();
        for (int i = 0; i < 2 * blocks; i++) arcs.add(new Arc(column(inputs.get(i)), 2 + i / 2, ops.get(i)));

        int maxUp = arcs.stream().mapToInt(Arc::span).max().orElse(1);
        int up = BASE_RISE + RISE * (maxUp - 1) + 40, down = RAIL + 30;
        int width = Math.max(1000, 2 * MARGIN + (n - 1) * COL), col = (width - 2 * MARGIN) / (n - 1);
        int rowY = TOP + up + BOX_H / 2, height = rowY + BOX_H / 2 + down + 20;

        BufferedImage img = Png.canvas(width, height);
        Graphics2D g = Png.graphics(img);
        g.setColor(INK);
        g.setFont(Png.font(Font.BOLD, 17));
        String title = "Decoded cell (B = " + blocks + "): each block sums two ops on earlier states; output = concat of the blocks";
        g.drawString(title, (width - g.getFontMetrics().stringWidth(title)) / 2, 34);

        double[] x = new double[n];
        for (int c = 0; c < n; c++) x[c] = MARGIN + c * col;
        drawConcat(g, x, rowY, n);
        drawArcs(g, arcs, x, rowY, n);
        for (int c = 0; c < n; c++) drawNode(g, c, n, x[c], rowY);
        g.dispose();
        Png.write(png, img);
    }

    /** Node column of cell state s: H^{l-2} first, then H^{l-1}, then the blocks. */
    private static int column(int state) { return state == 0 ? 1 : state == 1 ? 0 : state; }

    private static void drawArcs(Graphics2D g, List<Arc> arcs, double[] x, int rowY, int n) {
        // Ports along a box edge: outgoing on the right half, incoming on the left half; the outer
        // (longer) arc takes the port nearer the centre so arcs from one node nest without crossing.
        List<Arc> ordered = new ArrayList<>(arcs);
        ordered.sort(Comparator.comparingInt(Arc::span));
        List<double[]> labels = new ArrayList<>();
        for (Arc a : ordered) {
            double x0 = x[a.from] + port(arcs, a, a.from, true), x1 = x[a.to] - port(arcs, a, a.to, false);
            int dup = 0;
            for (Arc o : arcs) if (o != a && o.from == a.from && o.to == a.to && arcs.indexOf(o) < arcs.indexOf(a)) dup++;
            double rise = BASE_RISE + RISE * (a.span() - 1) + 18 * dup;
            double y0 = rowY - BOX_H / 2.0, c = rise * 4 / 3;
            g.setColor(opColor(a.op));
            g.setStroke(new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(new CubicCurve2D.Double(x0, y0, x0, y0 - c, x1, y0 - c, x1, y0 - 9));
            arrowHead(g, x1, y0, -1);
            labels.add(new double[] {(x0 + x1) / 2, y0 - rise, arcs.indexOf(a)});
        }
        g.setFont(Png.font(Font.PLAIN, 14));
        for (double[] l : labels) {
            Arc a = arcs.get((int) l[2]);
            Png.tag(g, a.op, l[0], l[1], opColor(a.op));
        }
    }

    /** Concat of all blocks: a drop from each block to a rail below the row, the rail into the output. */
    private static void drawConcat(Graphics2D g, double[] x, int rowY, int n) {
        double bottom = rowY + BOX_H / 2.0, rail = bottom + RAIL, out = x[n - 1];
        g.setColor(CONCAT);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Double p = new Path2D.Double();
        p.moveTo(x[2], bottom);
        p.lineTo(x[2], rail - 12);
        p.quadTo(x[2], rail, x[2] + 12, rail);
        p.lineTo(out - 12, rail);
        p.quadTo(out, rail, out, rail - 12);
        p.lineTo(out, bottom + 9);
        g.draw(p);
        arrowHead(g, out, bottom, 1);
        for (int c = 3; c < n - 1; c++) {
            g.draw(new java.awt.geom.Line2D.Double(x[c], bottom, x[c], rail));
            g.fill(new java.awt.geom.Ellipse2D.Double(x[c] - 4, rail - 4, 8, 8));
        }
        g.setFont(Png.font(Font.ITALIC, 14));
        String t = "concat";
        g.drawString(t, (float) (out - 16 - g.getFontMetrics().stringWidth(t)), (float) (rail - 7));
    }

    /** Horizontal offset of {@code a}'s port on node {@code node} from the node's centre. */
    private static double port(List<Arc> arcs, Arc a, int node, boolean outgoing) {
        List<Arc> same = arcs.stream().filter(o -> (outgoing ? o.from : o.to) == node).toList();
        int rank = 0;
        for (Arc o : same) if (o.span() > a.span() || (o.span() == a.span() && arcs.indexOf(o) < arcs.indexOf(a))) rank++;
        double half = BOX_W / 2.0 - 10;
        return same.size() == 1 ? half * 0.45 : 10 + rank * (half - 10) / (same.size() - 1);
    }

    /** A filled arrowhead with its tip at (x, y), pointing down (sign −1: coming from above) or up. */
    private static void arrowHead(Graphics2D g, double x, double y, double sign) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(x, y);
        p.lineTo(x - 6, y + sign * 12);
        p.lineTo(x + 6, y + sign * 12);
        p.closePath();
        g.fill(p);
    }

    private static void drawNode(Graphics2D g, int c, int n, double cx, int rowY) {
        Color fill = c < 2 ? INPUT : c == n - 1 ? OUTPUT : BLOCK;
        RoundRectangle2D box = new RoundRectangle2D.Double(cx - BOX_W / 2.0, rowY - BOX_H / 2.0, BOX_W, BOX_H, 16, 16);
        g.setColor(fill);
        g.fill(box);
        g.setColor(INK);
        g.setStroke(new BasicStroke(1.6f));
        g.draw(box);
        AttributedString s = nodeText(c, n);
        FontRenderContext frc = g.getFontRenderContext();
        TextLayout t = new TextLayout(s.getIterator(), frc);
        float tx = (float) (cx - t.getAdvance() / 2), ty = (float) (rowY + (t.getAscent() - t.getDescent()) / 2);
        g.setColor(INK);
        t.draw(g, tx, ty);
    }

    private static AttributedString nodeText(int c, int n) {
        String text = c == 0 ? "Hl-2" : c == 1 ? "Hl-1" : c == n - 1 ? "output" : "block " + (c - 2);
        AttributedString s = new AttributedString(text);
        s.addAttribute(TextAttribute.FAMILY, Png.FONT);
        s.addAttribute(TextAttribute.WEIGHT, TextAttribute.WEIGHT_BOLD);
        s.addAttribute(TextAttribute.SIZE, 18f);
        if (c < 2) s.addAttribute(TextAttribute.SUPERSCRIPT, TextAttribute.SUPERSCRIPT_SUPER, 1, text.length());
        return s;
    }

    /** Op family colours: separable convs blue, dilated green, pools orange, skip grey. */
    static Color opColor(String op) {
        if (op.startsWith("sep_conv")) return new Color(31, 119, 180);
        if (op.startsWith("dil_conv")) return new Color(44, 150, 44);
        if (op.contains("pool")) return new Color(230, 120, 20);
        if (op.equals("skip_connect")) return new Color(110, 110, 110);
        return new Color(170, 40, 120);
    }

    private static void validate(List<String> ops, List<Integer> inputs, int blocks) {
        if (blocks < 1) throw new IllegalArgumentException("CellPlot: blocks must be >= 1, got " + blocks);
        if (ops == null || ops.size() != 2 * blocks) {
            throw new IllegalArgumentException("CellPlot: " + (ops == null ? "null" : ops.size()) + " ops for B = " + blocks
                    + " blocks; expected 2B = " + 2 * blocks + " (two per block)");
        }
        if (inputs == null || inputs.size() != 2 * blocks) {
            throw new IllegalArgumentException("CellPlot: " + (inputs == null ? "null" : inputs.size()) + " inputs for B = " + blocks
                    + " blocks; expected 2B = " + 2 * blocks + " (two per block)");
        }
        for (int i = 0; i < 2 * blocks; i++) {
            String op = ops.get(i);
            if (op == null || op.isBlank()) throw new IllegalArgumentException("CellPlot: op " + i + " (block " + i / 2 + ") is empty");
            Integer s = inputs.get(i);
            int b = i / 2;
            if (s == null || s < 0 || s > b + 1) {
                throw new IllegalArgumentException("CellPlot: inputs[" + i + "] = " + s + ": block " + b
                        + " reads states 0.." + (b + 1) + " (0 = H^{l-1}, 1 = H^{l-2}, 2+k = block k)");
            }
        }
    }
}
