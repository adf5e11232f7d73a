package adl.train.plot;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/** Shared plumbing of the plot writers: headless AWT, fonts, rendering, atomic PNG writes. */
public final class Png {
    static final String FONT = Font.SANS_SERIF;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Png() {}

    /** Every writer calls this before touching AWT: plots are drawn without a display. */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static Font font(int style, int size) { return new Font(FONT, style, size); }

    /** A white RGB canvas with antialiased shapes and text; the caller disposes the graphics. */
    static BufferedImage canvas(int width, int height) {
        headless();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return img;
    }

    static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    /** Draws {@code text} centred on (cx, cy) in a white rounded box outlined in {@code color}. */
    static void tag(Graphics2D g, String text, double cx, double cy, Color color) {
        FontMetrics fm = g.getFontMetrics();
        double w = fm.stringWidth(text) + 12, h = fm.getAscent() + fm.getDescent() + 4;
        RoundRectangle2D box = new RoundRectangle2D.Double(cx - w / 2, cy - h / 2, w, h, 10, 10);
        g.setColor(Color.WHITE);
        g.fill(box);
        g.setColor(color);
        g.setStroke(new BasicStroke(1.2f));
        g.draw(box);
        g.setColor(color.darker());
        g.drawString(text, (float) (cx - fm.stringWidth(text) / 2.0), (float) (cy + (fm.getAscent() - fm.getDescent()) / 2.0));
    }

    /** Renders an XChart chart at its own size. */
    static BufferedImage render(Chart<?, ?> chart) {
        headless();
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Writes {@code img} to {@code png} atomically: a temporary file in the same folder, then a
     * rename over the target, so a crash never leaves half a PNG behind. Creates missing folders.
     */
    public static void write(Path png, BufferedImage img) throws IOException {
        if (png == null) throw new IllegalArgumentException("png path is null");
        Path abs = png.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        // A fresh name rather than createTempFile, so the PNG gets the umask's permissions, not 0600.
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available for " + png);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
