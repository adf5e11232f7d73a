package adl.cli;

import adl.data.Palettes;
import adl.nas.Architecture;
import adl.nas.retrain.Presets;
import adl.train.RetrainConfig;
import adl.train.RetrainLoop;
import adl.train.RunFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** retrain → eval → predict as a user runs them, at tiny sizes (seconds). */
class RetrainCommandTest {
    @TempDir Path tmp;

    static final String[] TINY = {"--filter-multiplier", "2", "--widths", "4,8,8,4,8", "--crop", "32", "--batch", "2",
        "--train-images", "4", "--val-images", "3", "--threads", "1", "--device", "cpu"};

    static String[] retrain(Path out, String... extra) {
        List<String> all = new ArrayList<>(List.of("retrain", "--out", out.toString()));
        all.addAll(List.of(TINY));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    @Test void retrainEvalAndPredictWorkTogether() throws IOException {
        Path run = tmp.resolve("run");
        MainTest.Result r = MainTest.run(retrain(run, "--iters", "3", "--eval-every", "2"));
        assertEquals(0, r.code(), r.err());
        RetrainConfig cfg = new RunFiles(run).readJson(RunFiles.CONFIG, RetrainConfig.class);
        assertEquals(2, cfg.filterMultiplier());
        assertEquals(RetrainCommand.SYNTHETIC_LR, cfg.lr(), "the synthetic default");
        assertEquals(4e-5, cfg.weightDecay());
        Architecture a = Architecture.read(run.resolve(RunFiles.ARCHITECTURE));
        assertArrayEquals(Presets.PAPER_PATH, a.path(), "the default is the paper's network");
        assertEquals(2, a.filterMultiplier());
        assertTrue(Files.exists(run.resolve("checkpoints/best.safetensors")));

        MainTest.Result e = MainTest.run("eval", "--run", run.toString(), "--device", "cpu", "--threads", "1");
        assertEquals(0, e.code(), e.err());
        List<String> lines = e.out().lines().toList();
        assertTrue(lines.get(lines.size() - 1).matches("mIoU=(0|1)\\.\\d{4}"), e.out());
        assertTrue(e.out().contains("background"), "per-class table: " + e.out());

        MainTest.Result ms = MainTest.run("eval", "--run", run.toString(), "--device", "cpu", "--scales", "0.75,1", "--flip");
        assertEquals(0, ms.code(), ms.err());
        assertTrue(ms.out().contains("scales [0.75, 1.0] + flip"), ms.out());

        Path samples = run.resolve(RetrainLoop.SAMPLES), masks = tmp.resolve("masks");
        MainTest.Result p = MainTest.run("predict", "--run", run.toString(), "--input", samples.toString(), "--output", masks.toString(), "--device", "cpu");
        assertEquals(0, p.code(), p.err());
        try (var s = Files.list(samples)) {
            for (Path img : s.toList()) {
                BufferedImage mask = ImageIO.read(masks.resolve(img.getFileName()).toFile());
                assertEquals(32, mask.getWidth(), "validation images are crop-sized");
                Set<Integer> colours = new HashSet<>();
                for (int[] c : Palettes.synthetic().colors()) colours.add((c[0] << 16) | (c[1] << 8) | c[2]);
                for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) {
                    assertTrue(colours.contains(mask.getRGB(x, y) & 0xFFFFFF), "every pixel is a palette colour");
                }
            }
        }
        Path overlays = tmp.resolve("overlays");
        MainTest.Result o = MainTest.run("predict", "--run", run.toString(), "--input", samples.resolve("val_0000.png").toString(),
                "--output", overlays.toString(), "--overlay", "--device", "cpu");
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.exists(overlays.resolve("val_0000.png")));
    }

    @Test void resumeContinuesAFinishedOrStoppedRunAndBadInputIsOneLine() throws IOException {
        Path run = tmp.resolve("resumed");
        assertEquals(0, MainTest.run(retrain(run, "--iters", "2", "--eval-every", "1")).code());
        MainTest.Result again = MainTest.run(retrain(run, "--iters", "2"));
        assertEquals(2, again.code(), "a second run into the same folder is refused");
        assertTrue(again.err().contains("--resume"), again.err());
        assertEquals(0, MainTest.run("retrain", "--resume", run.toString(), "--device", "cpu").code());

        MainTest.Result unknown = MainTest.run(retrain(tmp.resolve("u"), "--arch", "auto-deeplab-xl"));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("auto-deeplab-s"), "lists the presets: " + unknown.err());

        MainTest.Result notARun = MainTest.run("eval", "--run", tmp.toString(), "--device", "cpu");
        assertEquals(2, notARun.code());
        assertTrue(notARun.err().contains("not a retrain run directory"), notARun.err());

        MainTest.Result noInput = MainTest.run("predict", "--run", run.toString(), "--input", tmp.resolve("nope.png").toString(),
                "--output", tmp.resolve("m").toString(), "--device", "cpu");
        assertEquals(2, noInput.code(), "a missing --input is a usage error");
        assertTrue(noInput.err().lines().findFirst().orElse("").contains("nope.png"), noInput.err());
        assertTrue(noInput.err().lines().count() <= 2, "the message and the short usage: " + noInput.err());

        Path corrupt = tmp.resolve("bad.png");
        Files.writeString(corrupt, "not a png");
        MainTest.Result bad = MainTest.run("predict", "--run", run.toString(), "--input", corrupt.toString(), "--output", tmp.resolve("m2").toString(), "--device", "cpu");
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("error: " + corrupt), bad.err());
    }

    @Test void aSearchRunsArchitectureRetrainsAtItsOwnOrAGivenWidth() throws IOException {
        Path search = tmp.resolve("search");
        assertEquals(0, MainTest.run(SearchCommandTest.args("search", "--out", search.toString(), "--epochs", "1", "--arch-start-epoch", "0")).code());
        Path run = tmp.resolve("from-search");
        MainTest.Result r = MainTest.run(retrain(run, "--arch", search.toString(), "--iters", "1"));
        assertEquals(0, r.code(), r.err());
        Architecture found = Architecture.read(search.resolve(RunFiles.ARCHITECTURE));
        Architecture used = Architecture.read(run.resolve(RunFiles.ARCHITECTURE));
        assertEquals(found.cell(), used.cell());
        assertArrayEquals(found.path(), used.path());
        assertEquals(2, used.filterMultiplier(), "--filter-multiplier wins over the search's F");
        MainTest.Result e = MainTest.run("eval", "--run", search.toString(), "--device", "cpu");
        assertEquals(2, e.code());
        assertTrue(e.err().contains("this is a search run"), e.err());
    }
}
