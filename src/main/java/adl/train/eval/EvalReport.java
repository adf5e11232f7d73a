package adl.train.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text report of an evaluation, one line per class then the totals:
 * <pre>
 * class          IoU
 * road        0.9712
 * wall           n/a        (absent from labels and predictions: not in the mean)
 * pixel accuracy 0.9534
 * images          500
 * mIoU=0.7312
 * </pre>
 * The LAST line is exactly {@code mIoU=<fraction, 4 decimals>} (scripts read it); lines are
 * separated by '\n' and the text has no trailing newline.
 */
public final class EvalReport {
    /** Printed for a class whose IoU is undefined (empty union). */
    public static final String ABSENT = "n/a";

    private EvalReport() {}

    public static String format(EvalResult r) {
        List<String> rows = new ArrayList<>();
        int nameWidth = "pixel accuracy".length();
        for (String c : r.classes()) nameWidth = Math.max(nameWidth, c.length());
        String row = "%-" + nameWidth + "s %7s";
        rows.add(String.format(Locale.ROOT, row, "class", "IoU"));
        for (int c = 0; c < r.classes().size(); c++) {
            double iou = r.iou(c);
            rows.add(String.format(Locale.ROOT, row, r.classes().get(c), Double.isNaN(iou) ? ABSENT : fraction(iou)));
        }
        rows.add(String.format(Locale.ROOT, row, "pixel accuracy", fraction(r.pixelAccuracy())));
        rows.add(String.format(Locale.ROOT, row, "images", Integer.toString(r.images())));
        rows.add(miouLine(r.meanIou()));
        return String.join("\n", rows);
    }

    /** {@code mIoU=0.7312}; NaN (nothing scored) prints as {@code mIoU=NaN}. */
    public static String miouLine(double miou) { return "mIoU=" + fraction(miou); }

    private static String fraction(double v) { return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v); }
}
