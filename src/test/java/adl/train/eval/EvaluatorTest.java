package adl.train.eval;

import adl.backend.Device;
import adl.data.Dataset;
import adl.data.Sample;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.tensor.DType;
import adl.train.ConfusionMatrix;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "network" is a 1×1 convolution that predicts round(channel 0): logit_c = c·x0 − c²/2, whose
 * argmax is the class nearest to x0. Images carry the wanted prediction in channel 0, so each
 * test fixes predictions and labels exactly and the scores can be computed by hand.
 */
class EvaluatorTest {
    static final List<String> NAMES = List.of("zero", "one", "two", "three");

    static Conv2d rounder(int classes) {
        Conv2d net = new Conv2d(new Init(Device.CPU, DType.F32, 1), 3, classes, 1);
        double[] w = new double[classes * 3], b = new double[classes];
        for (int c = 0; c < classes; c++) {
            w[c * 3] = c;
            b[c] = -c * c / 2.0;
        }
        Device.backendOf(net.weight()).write(net.weight(), w);
        Device.backendOf(net.bias()).write(net.bias(), b);
        return net;
    }

    /** A sample of 1 row × n pixels whose predictions will be {@code pred} and labels {@code label}. */
    static Sample sample(String name, int[] pred, int[] label) {
        float[] img = new float[3 * pred.length];
        for (int i = 0; i < pred.length; i++) img[i] = pred[i];
        return new Sample(name, img, label, 1, pred.length);
    }

    record ListDataset(List<Sample> samples, List<String> classes) implements Dataset {
        @Override public String name() { return "list/test"; }
        @Override public int size() { return samples.size(); }
        @Override public Sample get(int index) { return samples.get(index); }
        @Override public int[][] palette() { return adl.data.Palettes.distinct(classes.size()); }
    }

    /**
     * Pixels (label → prediction): A: 0→0, 0→1, 1→1, 1→3; B: 255→2 (ignored), 0→0.
     * class 0: TP 2, FN 1 → 2/3; class 1: TP 1, FP 1, FN 1 → 1/3; class 2: only predicted on an
     * ignored pixel → absent (NaN, not in the mean); class 3: only predicted → 0, in the mean.
     * mIoU = (2/3 + 1/3 + 0) / 3 = 1/3; pixel accuracy = 3/5.
     */
    static ListDataset handMade() {
        return new ListDataset(List.of(
                sample("A", new int[] {0, 1, 1, 3}, new int[] {0, 0, 1, 1}),
                sample("B", new int[] {2, 0}, new int[] {255, 0})), NAMES);
    }

    @Test void scoresMatchTheHandComputedMatrix() {
        try (Conv2d net = rounder(4)) {
            List<Integer> done = new ArrayList<>();
            EvalResult r = Evaluator.evaluate(new Inference(net, Device.CPU), handMade(), (d, total, s, soFar) -> {
                assertEquals(2, total);
                done.add(d);
            });
            assertEquals(List.of(1, 2), done);
            assertEquals(2, r.images());
            assertEquals(2.0 / 3, r.iou(0), 1e-12);
            assertEquals(1.0 / 3, r.iou(1), 1e-12);
            assertTrue(Double.isNaN(r.iou(2)));
            assertEquals(0.0, r.iou(3), 0);
            assertEquals(1.0 / 3, r.meanIou(), 1e-12);
            assertEquals(3.0 / 5, r.pixelAccuracy(), 1e-12);
            assertEquals(1, r.matrix().count(1, 3));
            String report = EvalReport.format(r);
            String[] lines = report.split("\n");
            assertEquals("mIoU=0.3333", lines[lines.length - 1]);
            assertTrue(lines[3].startsWith("two") && lines[3].endsWith(EvalReport.ABSENT), lines[3]);
            assertTrue(lines[4].startsWith("three") && lines[4].endsWith("0.0000"), lines[4]);
        }
    }

    @Test void aRangeScoresOnlyItsImages() {
        try (Conv2d net = rounder(4)) {
            EvalResult r = Evaluator.evaluate(new Inference(net, Device.CPU), handMade(), 1, 2, Evaluator.Progress.NONE);
            assertEquals(1, r.images());
            assertEquals(1.0, r.meanIou(), 0);      // only class 0 is present
            assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(new Inference(net, Device.CPU), handMade(), 1, 3, Evaluator.Progress.NONE));
        }
    }

    @Test void mismatchesAndBadLabelsAreClearErrors() {
        try (Conv2d three = rounder(3); Conv2d four = rounder(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Evaluator.evaluate(new Inference(three, Device.CPU), handMade(), Evaluator.Progress.NONE));
            assertTrue(e.getMessage().contains("3 classes") && e.getMessage().contains("has 4"), e.getMessage());

            ListDataset badLabel = new ListDataset(List.of(sample("bad_7", new int[] {0, 0}, new int[] {0, 7})), NAMES);
            e = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(new Inference(four, Device.CPU), badLabel, Evaluator.Progress.NONE));
            assertTrue(e.getMessage().contains("bad_7") && e.getMessage().contains("label 7"), e.getMessage());

            ListDataset unlabelled = new ListDataset(List.of(sample("void", new int[] {0, 1}, new int[] {255, 255})), NAMES);
            IllegalStateException s = assertThrows(IllegalStateException.class,
                    () -> Evaluator.evaluate(new Inference(four, Device.CPU), unlabelled, Evaluator.Progress.NONE));
            assertTrue(s.getMessage().contains("no labelled pixel"), s.getMessage());
        }
    }

    @Test void reportLastLineIsTheMeanWithFourDecimals() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(new int[] {0, 0, 0, 1, 1, 1, 1}, new int[] {0, 0, 1, 1, 1, 1, 0}, 255);
        // class 0: TP 2, FP 1, FN 1 → 0.5; class 1: TP 3, FP 1, FN 1 → 0.6; class 2 absent
        EvalResult r = new EvalResult(List.of("sky", "building", "unused class"), m, 1);
        String text = EvalReport.format(r);
        String[] lines = text.split("\n");
        assertEquals("mIoU=0.5500", lines[lines.length - 1]);
        assertTrue(lines[lines.length - 1].matches("mIoU=[01]\\.\\d{4}"));
        assertTrue(text.contains("sky") && text.contains("0.5000") && text.contains("0.6000"), text);
        assertTrue(lines[3].startsWith("unused class") && lines[3].trim().endsWith("n/a"), lines[3]);
        assertTrue(lines[4].startsWith("pixel accuracy") && lines[4].endsWith("0.7143"), lines[4]);
        assertTrue(!text.endsWith("\n"));
        assertEquals("mIoU=NaN", EvalReport.miouLine(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new EvalResult(List.of("a"), m, 1));
    }
}
