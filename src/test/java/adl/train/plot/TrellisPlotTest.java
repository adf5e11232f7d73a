package adl.train.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrellisPlotTest {
    @TempDir Path dir;

    @Test void paperPath() throws Exception {
        Path png = dir.resolve("trellis.png");
        TrellisPlot.write(png, PlotExamples.betaHat(12, PlotExamples.PAPER_PATH, 13), PlotExamples.PAPER_PATH, 12);
        BufferedImage img = PngCheck.valid(png);
        assertTrue(PngCheck.count(img, 0xD7191C, 12) > 2000, "the decoded path is drawn in red");
    }

    @Test void smallTrellis() throws Exception {
        Path png = dir.resolve("trellis3.png");
        int[] path = {1, 1, 2};
        TrellisPlot.write(png, PlotExamples.betaHat(3, path, 3), path, 3);
        PngCheck.valid(png);
    }

    @Test void validSlotsMatchTheTrellis() {
        assertTrue(TrellisPlot.validSlot(0, 0, 1) && TrellisPlot.validSlot(0, 0, 2));
        assertFalse(TrellisPlot.validSlot(0, 0, 0), "no level above the finest");
        assertFalse(TrellisPlot.validSlot(0, 1, 1), "layer 0 has only level 0");
        assertTrue(TrellisPlot.validSlot(1, 1, 0) && TrellisPlot.validSlot(1, 1, 2));
        assertFalse(TrellisPlot.validSlot(2, 3, 1), "node (2, 3) does not exist");
        assertFalse(TrellisPlot.validSlot(5, 3, 2), "no level below the coarsest");
    }

    @Test void ignoresInvalidSlots() throws Exception {
        double[][][] b = PlotExamples.betaHat(3, new int[] {0, 0, 0}, 1);
        b[0][2][1] = 7;    // node (0, 2) does not exist
        b[2][0][0] = -1;   // no level above 0
        Path png = dir.resolve("t.png");
        TrellisPlot.write(png, b, new int[] {0, 0, 0}, 3);
        PngCheck.valid(png);
    }

    @Test void rejectsBadInput() {
        double[][][] b12 = PlotExamples.betaHat(12, PlotExamples.PAPER_PATH, 13);
        var e = assertThrows(IllegalArgumentException.class, () -> TrellisPlot.write(dir.resolve("x.png"), b12,
                new int[] {0, 0, 2, 1, 2, 1, 2, 2, 3, 3, 2, 1}, 12));
        assertTrue(e.getMessage().contains("jumps from level 0 at layer 2 to level 2 at layer 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrellisPlot.write(dir.resolve("x.png"), b12,
                new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 12));
        assertTrue(e.getMessage().contains("layer 1 has levels 0..1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrellisPlot.write(dir.resolve("x.png"), b12, new int[] {0, 1}, 12));
        assertTrue(e.getMessage().contains("path has 2 entries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrellisPlot.write(dir.resolve("x.png"), new double[11][4][3],
                PlotExamples.PAPER_PATH, 12));
        assertTrue(e.getMessage().contains("betaHat has 11 layers"), e.getMessage());
        double[][][] narrow = new double[3][4][2];
        e = assertThrows(IllegalArgumentException.class, () -> TrellisPlot.write(dir.resolve("x.png"), narrow, new int[] {0, 0, 0}, 3));
        assertTrue(e.getMessage().contains("betaHat[0][0] has 2 entries"), e.getMessage());
        double[][][] nan = PlotExamples.betaHat(3, new int[] {0, 0, 0}, 1);
        nan[1][1][2] = Double.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> TrellisPlot.write(dir.resolve("x.png"), nan, new int[] {0, 0, 0}, 3));
        assertTrue(e.getMessage().contains("betaHat[1][1][2] = NaN"), e.getMessage());
    }
}
