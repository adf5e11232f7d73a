package adl.train.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlphaHeatmapTest {
    @TempDir Path dir;

    @Test void paperSizedAlpha() throws Exception {
        Path png = dir.resolve("alpha.png");
        AlphaHeatmap.write(png, PlotExamples.alpha(5, PlotExamples.PAPER_OPS, PlotExamples.PAPER_INPUTS, 11), PlotExamples.OPS, 5);
        PngCheck.valid(png);
    }

    @Test void keptOpsAreMappedToTheirRowAndColumn() throws Exception {
        // block 0 ← s1 sep_conv_3x3, s0 skip; block 1 ← s2 max_pool, s0 dil_conv_3x3
        boolean[][] k = AlphaHeatmap.kept(5, PlotExamples.OPS, List.of("sep_conv_3x3", "skip_connect", "max_pool_3x3", "dil_conv_3x3"), List.of(1, 0, 2, 0));
        int marked = 0;
        for (boolean[] row : k) for (boolean b : row) if (b) marked++;
        assertEquals(4, marked);
        List<String> ops = List.of(PlotExamples.OPS);
        assertTrue(k[1][ops.indexOf("sep_conv_3x3")] && k[0][ops.indexOf("skip_connect")]);
        assertTrue(k[4][ops.indexOf("max_pool_3x3")] && k[2][ops.indexOf("dil_conv_3x3")]);
        assertThrows(IllegalArgumentException.class, () -> AlphaHeatmap.kept(5, PlotExamples.OPS, List.of("sep_conv_3x3"), List.of(2)));
        Path png = dir.resolve("kept.png");
        AlphaHeatmap.write(png, PlotExamples.alpha(5, PlotExamples.PAPER_OPS, PlotExamples.PAPER_INPUTS, 11), PlotExamples.OPS, 5,
                PlotExamples.PAPER_OPS, PlotExamples.PAPER_INPUTS);
        PngCheck.valid(png);
    }

    @Test void narrowRangesGetMoreDecimals() {
        assertEquals(3, AlphaHeatmap.decimals(0.035));
        assertEquals(4, AlphaHeatmap.decimals(0.004));
        assertEquals(5, AlphaHeatmap.decimals(0.0002));
        assertEquals(6, AlphaHeatmap.decimals(1e-12));
    }

    @Test void smallAlpha() throws Exception {
        Path png = dir.resolve("alpha2.png");
        double[][] a = PlotExamples.alpha(2, List.of("sep_conv_3x3", "skip_connect", "max_pool_3x3", "dil_conv_3x3"), List.of(0, 1, 2, 0), 5);
        AlphaHeatmap.write(png, a, PlotExamples.OPS, 2);
        PngCheck.valid(png);
    }

    @Test void uniformAlphaStillDraws() throws Exception {
        Path png = dir.resolve("uniform.png");
        AlphaHeatmap.write(png, new double[14][8], PlotExamples.OPS, 4);
        PngCheck.valid(png);
    }

    @Test void edgeLabelsFollowTheRowLayout() {
        // Row e = Σ_{k<i}(2 + k) + j: block 0 has rows 0-1, block 1 rows 2-4, block 2 rows 5-8, ...
        assertEquals("b0←s0", AlphaHeatmap.edgeLabel(0));
        assertEquals("b0←s1", AlphaHeatmap.edgeLabel(1));
        assertEquals("b1←s0", AlphaHeatmap.edgeLabel(2));
        assertEquals("b1←s2", AlphaHeatmap.edgeLabel(4));
        assertEquals("b2←s0", AlphaHeatmap.edgeLabel(5));
        assertEquals("b3←s4", AlphaHeatmap.edgeLabel(13));
        assertEquals("b4←s0", AlphaHeatmap.edgeLabel(14));
        assertEquals("b4←s5", AlphaHeatmap.edgeLabel(19));
    }

    @Test void softmaxIsStableAndNormalised() {
        double[] p = AlphaHeatmap.softmax(new double[] {1000, 1000, 999});
        assertEquals(1, p[0] + p[1] + p[2], 1e-12);
        assertEquals(p[0], p[1], 0);
        assertEquals(Math.exp(-1) * p[0], p[2], 1e-12);
    }

    @Test void rejectsWrongShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> AlphaHeatmap.write(dir.resolve("x.png"), new double[19][8], PlotExamples.OPS, 5));
        assertTrue(e.getMessage().contains("19 rows") && e.getMessage().contains("20 edges"), e.getMessage());
        double[][] a = new double[20][8];
        a[7] = new double[7];
        e = assertThrows(IllegalArgumentException.class, () -> AlphaHeatmap.write(dir.resolve("x.png"), a, PlotExamples.OPS, 5));
        assertTrue(e.getMessage().contains("row 7 (b2←s2) has 7 columns"), e.getMessage());
        double[][] b = new double[5][8];
        b[3][2] = Double.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> AlphaHeatmap.write(dir.resolve("x.png"), b, PlotExamples.OPS, 2));
        assertTrue(e.getMessage().contains("alpha[3][2] = NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlphaHeatmap.write(dir.resolve("x.png"), new double[0][8], PlotExamples.OPS, 0));
        assertTrue(e.getMessage().contains("blocks must be >= 1"), e.getMessage());
    }
}
