package adl.train;

/**
 * Pixel confusion matrix over K classes (rows = label, columns = prediction); pixels labelled
 * {@code ignore} are not counted. IoU_c = TP / (TP + FP + FN); the mean leaves out classes whose
 * union is empty (absent from both labels and predictions), as docs/06-retrain.md §5 says.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;

    public ConfusionMatrix(int classes) {
        if (classes < 1) throw new IllegalArgumentException("need at least one class, got " + classes);
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    public int classes() { return classes; }

    /** Adds pixels: label[i] vs prediction[i]; labels equal to {@code ignore} are skipped. */
    public void add(int[] label, int[] prediction, int ignore) {
        if (label.length != prediction.length) {
            throw new IllegalArgumentException("label has " + label.length + " pixels, prediction " + prediction.length);
        }
        for (int i = 0; i < label.length; i++) {
            int l = label[i];
            if (l == ignore) continue;
            int p = prediction[i];
            if (l < 0 || l >= classes || p < 0 || p >= classes) {
                throw new IllegalArgumentException("pixel " + i + ": label " + l + " or prediction " + p + " outside [0, " + classes + ")");
            }
            counts[l * classes + p]++;
        }
    }

    public long count(int label, int prediction) { return counts[label * classes + prediction]; }

    /** IoU of class c, or NaN when its union is empty. */
    public double iou(int c) {
        long tp = count(c, c), fp = 0, fn = 0;
        for (int k = 0; k < classes; k++) {
            if (k == c) continue;
            fp += count(k, c);
            fn += count(c, k);
        }
        long union = tp + fp + fn;
        return union == 0 ? Double.NaN : (double) tp / union;
    }

    /** Mean IoU over classes with a non-empty union; NaN when no pixel was counted. */
    public double meanIou() {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < classes; c++) {
            double v = iou(c);
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Fraction of counted pixels predicted correctly. */
    public double pixelAccuracy() {
        long tp = 0, all = 0;
        for (int c = 0; c < classes; c++) tp += count(c, c);
        for (long v : counts) all += v;
        return all == 0 ? Double.NaN : (double) tp / all;
    }
}
