package adl.train.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurvePlotTest {
    @TempDir Path dir;

    @Test void typicalRunHasLossAndMiouPanels() throws Exception {
        Path png = dir.resolve("curves.png");
        CurvePlot.write(png, PlotExamples.metrics(40, 150, 20, 7));
        BufferedImage img = PngCheck.valid(png);
        assertEquals(CurvePlot.LOSS_HEIGHT + CurvePlot.MIOU_HEIGHT, img.getHeight(), "two panels");
        assertTrue(PngCheck.count(img, 0x9434A0, 10) > 200, "the mIoU curve is drawn");
        assertTrue(PngCheck.count(img, 0xFF7F0E, 10) > 200, "the arch loss curve is drawn");
    }

    @Test void aRetrainRunIsTitledByIterationNotEpoch() throws Exception {
        List<MetricsRow> rows = List.of(new MetricsRow(0, 1, 1.2, Double.NaN, Double.NaN, Double.NaN, 0.01, 1.0),
                new MetricsRow(0, 125, Double.NaN, Double.NaN, 0.8, 0.15, Double.NaN, 20.0),
                new MetricsRow(1, 250, Double.NaN, Double.NaN, 0.7, 0.21, Double.NaN, 125.0));
        assertEquals("Retrain losses: iteration 250, 0:02:05 elapsed", CurvePlot.title(rows, false));
        assertEquals(" (best 0.2100, iteration 250)", CurvePlot.best(rows, false));
        assertEquals("Search losses: epoch 1, iteration 250, 0:02:05 elapsed", CurvePlot.title(rows, true));
        assertEquals(" (best 0.2100, epoch 1)", CurvePlot.best(rows, true));
        CurvePlot.write(dir.resolve("retrain.png"), rows, false);
        PngCheck.valid(dir.resolve("retrain.png"));
    }

    @Test void singleRowGivesOnePanel() throws Exception {
        Path png = dir.resolve("one.png");
        CurvePlot.write(png, List.of(new MetricsRow(0, 0, 2.3, Double.NaN, Double.NaN, Double.NaN, 0.025, 1.0)));
        BufferedImage img = PngCheck.valid(png);
        assertEquals(CurvePlot.LOSS_HEIGHT, img.getHeight(), "no mIoU panel before the first epoch ends");
        assertTrue(PngCheck.count(img, 0x1F77B4, 10) > 20, "the single train-loss point is drawn");
    }

    @Test void shortRunAndUnsortedRows() throws Exception {
        List<MetricsRow> rows = new ArrayList<>(PlotExamples.metrics(3, 20, 1, 3));
        java.util.Collections.reverse(rows);
        Path png = dir.resolve("short.png");
        CurvePlot.write(png, rows);
        PngCheck.valid(png);
    }

    @Test void overwritesAtomicallyIntoNewFolders() throws Exception {
        Path png = dir.resolve("a/b/curves.png");
        CurvePlot.write(png, PlotExamples.metrics(2, 10, 0, 1));
        long first = java.nio.file.Files.size(png);
        CurvePlot.write(png, PlotExamples.metrics(4, 10, 0, 2));
        PngCheck.valid(png);
        assertTrue(first > 0);
    }

    @Test void rejectsEmptyInput() {
        var e = assertThrows(IllegalArgumentException.class, () -> CurvePlot.write(dir.resolve("x.png"), List.of()));
        assertTrue(e.getMessage().contains("no metrics rows"), e.getMessage());
        var nan = new MetricsRow(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0);
        e = assertThrows(IllegalArgumentException.class, () -> CurvePlot.write(dir.resolve("x.png"), List.of(nan)));
        assertTrue(e.getMessage().contains("NaN losses"), e.getMessage());
    }

    @Test void envelopeKeepsEachBucketsExtremes() {
        int n = 10 * CurvePlot.RAW_POINTS;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) { x[i] = i; y[i] = Math.sin(i * 0.37); }
        y[1234] = 9;
        y[n - 7] = -9;
        CurvePlot.Points e = CurvePlot.envelope(new CurvePlot.Points(x, y));
        assertTrue(e.x().length <= CurvePlot.RAW_POINTS + 2, "reduced to " + e.x().length);
        assertTrue(java.util.Arrays.stream(e.y()).anyMatch(v -> v == 9) && java.util.Arrays.stream(e.y()).anyMatch(v -> v == -9), "spikes survive");
        for (int i = 1; i < e.x().length; i++) assertTrue(e.x()[i] > e.x()[i - 1], "x stays increasing");
    }

    @Test void movingMeanIsTrailing() {
        assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, CurvePlot.movingMean(new double[] {1, 2, 3, 4}, 2), 1e-12);
    }

    @Test void aSpikingLossMakesTheLossAxisLogarithmic() throws Exception {
        List<MetricsRow> rows = new java.util.ArrayList<>(PlotExamples.metrics(4, 20, 2, 3));
        assertFalse(CurvePlot.spiky(rows), "the example losses stay within 10x of the median training loss");
        MetricsRow first = rows.get(19);
        rows.set(19, new MetricsRow(first.epoch(), first.iteration(), first.trainLoss(), first.archLoss(), 198, first.valMiou(), first.lr(), first.seconds()));
        assertTrue(CurvePlot.spiky(rows), "a validation loss of 198 against training losses near 1");
        Path png = dir.resolve("spike.png");
        CurvePlot.write(png, rows);
        PngCheck.valid(png);
    }
}
