package adl.train.report;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * A self-contained HTML page (docs/09-deployment.md, "run report"): inline CSS, PNGs embedded as
 * data URIs, no JavaScript and no link to anything outside the file, so it opens offline.
 */
final class Html {
    private final StringBuilder sb = new StringBuilder();

    Html(String title) {
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title)).append("</title>\n<style>\n")
          .append("body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:24px auto;max-width:1320px;color:#222;padding:0 16px}\n")
          .append("h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}\n")
          .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 9px;text-align:left;font-size:14px}\n")
          .append("th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
          .append("img.plot{max-width:100%;border:1px solid #ddd}img.px{image-rendering:pixelated;border:1px solid #ddd}\n")
          .append(".note{color:#555;font-size:14px;max-width:980px}.grid{display:flex;flex-wrap:wrap;gap:18px}.grid figure{margin:0}\n")
          .append("figcaption{font-size:13px;color:#444}.sw{display:inline-block;width:14px;height:14px;border:1px solid #555;vertical-align:middle;margin-right:6px}\n")
          .append("code{background:#f4f4f4;padding:1px 4px}\n</style></head><body>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    Html h1(String t) { sb.append("<h1>").append(esc(t)).append("</h1>\n"); return this; }

    Html h2(String t) { sb.append("<h2>").append(esc(t)).append("</h2>\n"); return this; }

    Html p(String text) { sb.append("<p class=\"note\">").append(esc(text)).append("</p>\n"); return this; }

    /** Raw HTML the caller built from escaped parts. */
    Html raw(String html) { sb.append(html); return this; }

    /** A table; cells that parse as numbers are right-aligned. Header and cells are escaped. */
    Html table(List<String> header, List<List<String>> rows) {
        sb.append("<table><tr>");
        for (String h : header) sb.append("<th>").append(esc(h)).append("</th>");
        sb.append("</tr>\n");
        for (List<String> r : rows) {
            sb.append("<tr>");
            for (String c : r) sb.append(isNumber(c) ? "<td class=\"num\">" : "<td>").append(esc(c)).append("</td>");
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
        return this;
    }

    private static boolean isNumber(String s) { return s.matches("-?[0-9][0-9,]*(\\.[0-9]+)?(e-?[0-9]+)?%?"); }

    /** The PNG file embedded, or a line saying it is missing. */
    Html png(Path file, String alt) throws IOException {
        if (!Files.isRegularFile(file)) return p(file.getFileName() + " is not there yet.");
        sb.append("<img class=\"plot\" alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(Files.readAllBytes(file))).append("\">\n");
        return this;
    }

    /** An image embedded as PNG, shown {@code scale} times larger with sharp pixels. */
    static String img(BufferedImage img, int scale, String alt) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return "<img class=\"px\" alt=\"" + esc(alt) + "\" width=\"" + img.getWidth() * scale + "\" height=\"" + img.getHeight() * scale
                + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray()) + "\">";
    }

    String finish() { return sb.append("</body></html>\n").toString(); }
}
