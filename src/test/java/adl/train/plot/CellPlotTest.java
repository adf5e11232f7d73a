package adl.train.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellPlotTest {
    @TempDir Path dir;

    @Test void paperCell() throws Exception {
        Path png = dir.resolve("cell.png");
        CellPlot.write(png, PlotExamples.PAPER_OPS, PlotExamples.PAPER_INPUTS, 5);
        var img = PngCheck.valid(png);
        assertTrue(PngCheck.count(img, 0x1F77B4, 10) > 300, "sep_conv edges are drawn in blue");
        assertTrue(PngCheck.count(img, 0x2C962C, 10) > 100, "dil_conv edges are drawn in green");
    }

    @Test void smallCell() throws Exception {
        Path png = dir.resolve("cell2.png");
        CellPlot.write(png, List.of("sep_conv_3x3", "skip_connect", "max_pool_3x3", "dil_conv_3x3"), List.of(0, 1, 2, 0), 2);
        PngCheck.valid(png);
    }

    @Test void rejectsBadInput() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> CellPlot.write(dir.resolve("x.png"), List.of("sep_conv_3x3", "skip_connect"), List.of(0, 2), 1));
        assertTrue(e.getMessage().contains("inputs[1] = 2: block 0 reads states 0..1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CellPlot.write(dir.resolve("x.png"), PlotExamples.PAPER_OPS.subList(0, 9), PlotExamples.PAPER_INPUTS, 5));
        assertTrue(e.getMessage().contains("9 ops for B = 5 blocks; expected 2B = 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CellPlot.write(dir.resolve("x.png"), PlotExamples.PAPER_OPS, List.of(0, 1), 5));
        assertTrue(e.getMessage().contains("2 inputs for B = 5 blocks"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CellPlot.write(dir.resolve("x.png"), List.of(), List.of(), 0));
        assertTrue(e.getMessage().contains("blocks must be >= 1"), e.getMessage());
    }

    @Test void failedWriteLeavesNoTempFile() throws Exception {
        Path blocked = dir.resolve("blocked.png");
        Files.createDirectories(blocked.resolve("child"));   // a non-empty folder cannot be replaced by the rename
        assertThrows(java.io.IOException.class, () -> CellPlot.write(blocked, PlotExamples.PAPER_OPS, PlotExamples.PAPER_INPUTS, 5));
        PngCheck.noTempFiles(dir);
        assertTrue(Files.isDirectory(blocked.resolve("child")));
    }

    @Test void examplesMainRendersAllFour() throws Exception {
        PlotExamples.main(new String[] {dir.toString()});
        for (String f : List.of("search-curves.png", "search-alpha.png", "search-trellis.png", "search-cell.png")) {
            PngCheck.valid(dir.resolve(f));
        }
    }
}
