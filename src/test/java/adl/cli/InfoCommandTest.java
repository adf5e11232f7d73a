package adl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code adl info}: a readable table, then exactly {@code params=<int> multiply_adds=<int>} as the last line. */
class InfoCommandTest {
    @Test void presetAtCityscapesSizeEndsWithTheTotalsLine() {
        MainTest.Result r = MainTest.run("info", "--arch", "auto-deeplab-s", "--size", "1024x2048");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.matches("params=\\d+ multiply_adds=\\d+"), last);
        long params = Long.parseLong(last.substring(7, last.indexOf(' ')));
        assertEquals(10.15, Math.round(params / 1e4) / 100.0, "Auto-DeepLab-S has 10.15M parameters (paper Table 2)");
        assertTrue(r.out().contains("[256, 128, 256]"), "ASPP at rate 8 of 1024x2048:\n" + r.out());
        assertTrue(r.out().contains("[19, 1024, 2048]"), r.out());
        assertTrue(r.out().contains("cell11"), r.out());
    }

    @Test void architectureFileAndFilterMultiplier(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("architecture.json");
        Files.writeString(file, """
                {"cell": [{"op": "sep_conv_3x3", "input": 0}, {"op": "skip_connect", "input": 1}],
                 "path": [1, 2], "filter_multiplier": 8}
                """);
        MainTest.Result a = MainTest.run("info", "--arch", file.toString(), "--size", "64x64", "--classes", "3");
        MainTest.Result b = MainTest.run("info", "--arch", file.toString(), "--size", "64x64", "--classes", "3", "--filter-multiplier", "4");
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        assertTrue(a.out().contains("[80, 4, 4]"), "cell 1: 1 block of C = 20·2² at level 2 (4×4 for 64), retrain's rule:\n" + a.out());
        assertTrue(a.out().contains("F = 20: the paper's retrain width (the file's filter_multiplier 8 is the F it was searched at"), a.out());
        assertTrue(b.out().contains("[16, 4, 4]"), b.out());
        assertTrue(b.out().contains("F = 4: from --filter-multiplier"), b.out());
    }

    @Test void unknownArchitectureListsThePresets() {
        MainTest.Result r = MainTest.run("info", "--arch", "auto-deeplab-xl", "--size", "321x321");
        assertEquals(2, r.code());
        assertTrue(r.err().lines().findFirst().orElse("").contains("auto-deeplab-s, auto-deeplab-m, auto-deeplab-l"), r.err());
        assertEquals(2, r.err().strip().lines().count(), "the message and the short usage: " + r.err());
    }

    @Test void badSizeIsAUsageError() {
        MainTest.Result r = MainTest.run("info", "--arch", "auto-deeplab-s", "--size", "321");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--size must be HxW"), r.err());
    }
}
