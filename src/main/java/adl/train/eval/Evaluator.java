package adl.train.eval;

import adl.data.Dataset;
import adl.data.Sample;
import adl.train.ConfusionMatrix;

/**
 * Scores an {@link Inference} on a dataset split (docs/06-retrain.md §5): every image is
 * predicted at its own size and compared pixel by pixel with its label; pixels labelled
 * {@link Sample#IGNORE} are not counted. Images are processed one at a time in index order.
 */
public final class Evaluator {
    private Evaluator() {}

    /** Called after each image: {@code done} of {@code total} images scored, the scores so far (do not modify). */
    @FunctionalInterface
    public interface Progress {
        void image(int done, int total, Sample sample, ConfusionMatrix soFar);

        Progress NONE = (done, total, sample, soFar) -> {};
    }

    /** Every image of {@code data}. */
    public static EvalResult evaluate(Inference inference, Dataset data, Progress progress) {
        return evaluate(inference, data, 0, data.size(), progress);
    }

    /**
     * Images {@code from} (inclusive) to {@code to} (exclusive) of {@code data}.
     *
     * @throws IllegalArgumentException for a bad range, a network whose class count differs from
     *                                  the dataset's, or a label value outside [0, C) ∪ {255} (naming the sample)
     * @throws IllegalStateException    when no pixel in the range carries a label (nothing to score)
     */
    public static EvalResult evaluate(Inference inference, Dataset data, int from, int to, Progress progress) {
        if (from < 0 || to > data.size() || from >= to) {
            throw new IllegalArgumentException(data.name() + ": image range [" + from + ", " + to + ") is empty or outside [0, " + data.size() + ")");
        }
        int classes = data.numClasses();
        ConfusionMatrix matrix = new ConfusionMatrix(classes);
        int total = to - from;
        for (int i = from; i < to; i++) {
            Sample s = data.get(i);
            ClassProbabilities p = inference.probabilities(s.image(), s.height(), s.width());
            if (p.classes() != classes) {
                throw new IllegalArgumentException("the network predicts " + p.classes() + " classes, " + data.name() + " has " + classes);
            }
            try {
                matrix.add(s.label(), p.argmax(), Sample.IGNORE);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(data.name() + ", sample " + s.name() + ": " + e.getMessage(), e);
            }
            progress.image(i - from + 1, total, s, matrix);
        }
        if (Double.isNaN(matrix.pixelAccuracy())) {
            throw new IllegalStateException(data.name() + ": images [" + from + ", " + to + ") have no labelled pixel; nothing to score");
        }
        return new EvalResult(data.classes(), matrix, total);
    }
}
