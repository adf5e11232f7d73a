package adl.nas.retrain;

import adl.autograd.GradMode;
import adl.memory.Scope;
import adl.nas.Architecture;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Any search-shaped architecture.json builds and runs: paths from level 1, ending at any rate; ASPP rates follow the output stride. */
class ArchitectureVariantsTest {
    static void buildsAndRuns(Architecture a, int h, int w) {
        Architecture fromJson = Architecture.fromJson(a.toJson());
        try (FixedNetwork net = Nets.build(fromJson, 2, 3, 1); Scope s = Scope.open(); GradMode.Guard g = GradMode.off()) {
            Map<String, Tensor> ends = net.endpoints(Nets.images(2, h, w, 2)); // training mode: BN needs 2 values per channel at 1×1
            assertEquals(Shape.of(2, 3, h, w), ends.get("logits").shape(), a.toString());
            NetworkSummary sum = net.summary(h, w);
            for (Map.Entry<String, Tensor> e : ends.entrySet()) {
                int[] c = sum.stage(e.getKey()).chw();
                assertEquals(Shape.of(2, c[0], c[1], c[2]), e.getValue().shape(), e.getKey() + " of " + a);
            }
        }
    }

    @Test void pathsStartingAtLevelOneAndEndingAtEveryRate() {
        SplittableRandom r = new SplittableRandom(3);
        int[][] paths = {
            {1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3},  // starts at level 1, ends at rate 32
            {0, 1, 2, 2, 1, 0, 0, 1, 1, 0, 0, 0},  // ends at rate 4
            {0, 0, 1, 2, 3, 3, 3, 3, 2, 2, 2, 2},  // ends at rate 16
            {1, 1, 0, 1, 2, 1, 0, 1, 2, 3, 2, 1},
            {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},  // never leaves level 0
            {1},
        };
        for (int[] p : paths) buildsAndRuns(new Architecture(Nets.randomCell(5, r), p, 8), 45, 37);
        for (int t = 0; t < 4; t++) buildsAndRuns(new Architecture(Nets.randomCell(1 + t, r), Nets.randomPath(6 + t, t % 2, r), 8), 33, 50);
    }

    @Test void architectureJsonFileResolvesAndOverridesNothingButF(@TempDir Path dir) throws IOException {
        Architecture a = new Architecture(Nets.randomCell(5, new SplittableRandom(1)), new int[] {1, 2, 2, 1}, 8);
        Path file = dir.resolve("architecture.json");
        a.write(file);
        assertEquals(a, Presets.resolve(file.toString()));
        buildsAndRuns(Presets.resolve(file.toString()), 29, 31);
    }

    @Test void asppRatesFollowTheOutputStride() {
        assertArrayEquals(new int[] {24, 48, 72}, Aspp.rates(4));
        assertArrayEquals(new int[] {12, 24, 36}, Aspp.rates(8));
        assertArrayEquals(new int[] {6, 12, 18}, Aspp.rates(16));
        assertArrayEquals(new int[] {3, 6, 9}, Aspp.rates(32));
        SplittableRandom r = new SplittableRandom(5);
        int[][] paths = {{0, 1, 2}, {0, 1, 2, 3}};
        int[][] rates = {{6, 12, 18}, {3, 6, 9}};
        for (int i = 0; i < paths.length; i++) {
            try (FixedNetwork net = Nets.build(new Architecture(Nets.randomCell(2, r), paths[i], 8), 2, 3, 1)) {
                assertEquals(4 << paths[i][paths[i].length - 1], net.outputStride());
                assertArrayEquals(rates[i], net.aspp().dilations());
                assertTrue(net.summary(64, 64).stage("aspp").description().contains(rates[i][0] + "/" + rates[i][1] + "/" + rates[i][2]));
            }
        }
    }

    @Test void lowLevelFeatureIsTheLastLevelZeroCellBeforeThePathFirstLeaves() {
        assertEquals(2, FixedNetwork.lowLevelCell(Presets.PAPER_PATH));
        assertEquals(-1, FixedNetwork.lowLevelCell(new int[] {1, 0, 0}));
        assertEquals(0, FixedNetwork.lowLevelCell(new int[] {0, 1, 0, 0}));
        assertEquals(3, FixedNetwork.lowLevelCell(new int[] {0, 0, 0, 0}));
    }

    @Test void presetsAndTheirErrors() {
        assertEquals(java.util.List.of("auto-deeplab-s", "auto-deeplab-m", "auto-deeplab-l"), Presets.names());
        Architecture m = Presets.resolve("auto-deeplab-m");
        assertEquals(32, m.filterMultiplier());
        assertArrayEquals(new int[] {0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1}, m.path());
        assertEquals(Presets.PAPER_CELL, m.cell());
        assertEquals(48, Presets.byName("auto-deeplab-l").filterMultiplier());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Presets.resolve("auto-deeplab-xl"));
        assertTrue(e.getMessage().contains("auto-deeplab-s, auto-deeplab-m, auto-deeplab-l"), e.getMessage());
        assertTrue(e.getMessage().contains("auto-deeplab-xl"), e.getMessage());
    }

    @Test void badArchitectureFileNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"cell\": [{\"op\": \"conv_7x7\", \"input\": 0}], \"path\": [0]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Presets.resolve(file.toString()));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertSame(null, Presets.byName(file.toString()));
    }
}
