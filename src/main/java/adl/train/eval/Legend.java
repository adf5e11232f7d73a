package adl.train.eval;

import adl.data.Palette;
import adl.data.Sample;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A class legend beside a mask or overlay: one swatch per class present in the label map, with its
 * name and share of the pixels, largest first; a strip to the right of the image (the image itself
 * is copied unchanged, so its pixels still line up with the input).
 */
public final class Legend {
    static final int SWATCH = 14, ROW = 20, PAD = 8;

    private Legend() {}

    /** The classes present in {@code labels} (IGNORE left out), most pixels first: {class id, pixel count} each. */
    static List<long[]> present(int[] labels, int classes) {
        long[] count = new long[classes];
        for (int l : labels) if (l != Sample.IGNORE && l >= 0 && l < classes) count[l]++;
        List<long[]> out = new ArrayList<>();
        for (int c = 0; c < classes; c++) if (count[c] > 0) out.add(new long[] {c, count[c]});
        out.sort((a, b) -> Long.compare(b[1], a[1]));
        return out;
    }

    /** {@code image} with a legend strip on its right for the classes of {@code labels} (same pixel count as the image). */
    public static BufferedImage besides(BufferedImage image, int[] labels, Palette palette) {
        if (labels.length != (long) image.getWidth() * image.getHeight()) {
            throw new IllegalArgumentException("legend: " + labels.length + " labels for a " + image.getWidth() + "x" + image.getHeight() + " image");
        }
        List<long[]> rows = present(labels, palette.size());
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        List<String> texts = new ArrayList<>();
        int textW = fm.stringWidth("classes");
        for (long[] r : rows) {
            String t = String.format(Locale.ROOT, "%s %.1f%%", palette.names().get((int) r[0]), 100.0 * r[1] / labels.length);
            texts.add(t);
            textW = Math.max(textW, fm.stringWidth(t));
        }
        pg.dispose();
        int stripW = PAD * 3 + SWATCH + textW, legendH = PAD * 2 + ROW * (rows.size() + 1);
        BufferedImage out = new BufferedImage(image.getWidth() + stripW, Math.max(image.getHeight(), legendH), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(image, 0, 0, null);
        g.setFont(font);
        int x = image.getWidth() + PAD, y = PAD;
        g.setColor(Color.BLACK);
        g.drawString("classes", x, y + fm.getAscent());
        for (int i = 0; i < rows.size(); i++) {
            int yy = y + ROW * (i + 1);
            g.setColor(new Color(palette.rgb((int) rows.get(i)[0])));
            g.fillRect(x, yy + 2, SWATCH, SWATCH);
            g.setColor(Color.DARK_GRAY);
            g.drawRect(x, yy + 2, SWATCH, SWATCH);
            g.setColor(Color.BLACK);
            g.drawString(texts.get(i), x + SWATCH + PAD, yy + fm.getAscent() + 1);
        }
        g.dispose();
        return out;
    }
}
