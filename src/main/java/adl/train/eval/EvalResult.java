package adl.train.eval;

import adl.train.ConfusionMatrix;

import java.util.List;

/**
 * The scores of an evaluation: the pixel confusion matrix over the dataset's classes (ignore
 * label 255 not counted) and the number of images seen. IoU_c = TP / (TP + FP + FN); a class
 * whose union is empty (in neither labels nor predictions) has IoU NaN and is left out of the
 * mean (docs/06-retrain.md §5); a class only predicted has IoU 0 and counts.
 */
public record EvalResult(List<String> classes, ConfusionMatrix matrix, int images) {
    public EvalResult {
        classes = List.copyOf(classes);
        if (classes.size() != matrix.classes()) {
            throw new IllegalArgumentException(classes.size() + " class names for a " + matrix.classes() + "-class confusion matrix");
        }
    }

    public double meanIou() { return matrix.meanIou(); }

    /** IoU of class c, NaN when absent from labels and predictions. */
    public double iou(int c) { return matrix.iou(c); }

    /** IoU per class, NaN for absent classes. */
    public double[] perClassIou() {
        double[] out = new double[classes.size()];
        for (int c = 0; c < out.length; c++) out[c] = matrix.iou(c);
        return out;
    }

    public double pixelAccuracy() { return matrix.pixelAccuracy(); }
}
