package adl.cli;

import adl.data.Palettes;
import adl.train.RetrainConfig;
import adl.train.RunFiles;
import adl.train.SearchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** search, retrain, eval and predict on the committed samples of the real formats (src/test/resources/datasets). */
class RealDataCommandTest {
    static final Path SAMPLES = Path.of("src/test/resources/datasets");
    static final String[] TINY_NET = {"--filter-multiplier", "2", "--widths", "4,8,8,4,8", "--crop", "48", "--batch", "2", "--threads", "1", "--device", "cpu"};
    @TempDir Path tmp;

    static String[] with(List<String> head, String... tail) {
        return Stream.concat(head.stream(), Stream.of(tail)).toArray(String[]::new);
    }

    @Test void aShortSearchOnCityscapesSamplesAtHalfResolution() throws IOException {
        Path run = tmp.resolve("search");
        MainTest.Result r = MainTest.run("search", "--dataset", "cityscapes", "--data", SAMPLES.resolve("cityscapes").toString(), "--resize", "0.5",
                "--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--crop", "32", "--epochs", "2", "--arch-start-epoch", "1",
                "--val-images", "1", "--threads", "1", "--device", "cpu", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        SearchConfig cfg = new RunFiles(run).readJson(RunFiles.CONFIG, SearchConfig.class);
        assertEquals("cityscapes", cfg.dataset());
        assertEquals(0.5, cfg.resize());
        assertEquals(2, cfg.trainImages(), "the whole training split, divided into A and B");
        assertTrue(Files.exists(run.resolve(RunFiles.ARCHITECTURE)));
    }

    @Test void retrainEvalAndPredictOnCityscapesSamplesUseItsClassesAndPalette() throws IOException {
        Path run = tmp.resolve("retrain");
        MainTest.Result r = MainTest.run(with(List.of("retrain", "--dataset", "cityscapes", "--data", SAMPLES.resolve("cityscapes").toString(),
                "--iters", "2", "--out", run.toString()), TINY_NET));
        assertEquals(0, r.code(), r.err());
        RetrainConfig cfg = new RunFiles(run).readJson(RunFiles.CONFIG, RetrainConfig.class);
        assertEquals(19, cfg.classes());
        assertEquals(0.05, cfg.lr(), "the paper's learning rate on real data");

        MainTest.Result e = MainTest.run("eval", "--run", run.toString(), "--device", "cpu");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("on cityscapes/val, 1 images"), "the whole validation split of the run's dataset: " + e.out());
        assertTrue(e.out().contains("bicycle"), "Cityscapes class names: " + e.out());
        assertTrue(e.out().strip().lines().reduce((a, b) -> b).orElseThrow().startsWith("mIoU="), e.out());

        Path masks = tmp.resolve("masks");
        MainTest.Result p = MainTest.run("predict", "--run", run.toString(), "--input", SAMPLES.resolve("cityscapes/leftImg8bit/val/frankfurt").toString(),
                "--output", masks.toString(), "--device", "cpu");
        assertEquals(0, p.code(), p.err());
        BufferedImage mask = ImageIO.read(masks.resolve("frankfurt_000000_000294_leftImg8bit.png").toFile());
        assertEquals(128, mask.getWidth(), "predicted at the image's own size");
        assertEquals(64, mask.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int[] c : Palettes.cityscapes().colors()) colours.add((c[0] << 16) | (c[1] << 8) | c[2]);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 128; x++) assertTrue(colours.contains(mask.getRGB(x, y) & 0xFFFFFF));
    }

    @Test void vocAde20kAndFolderRetrainFromTheirOwnLayouts() {
        for (String[] d : new String[][] {{"voc", "21"}, {"ade20k", "150"}, {"folder", "4"}}) {
            Path run = tmp.resolve("r-" + d[0]);
            MainTest.Result r = MainTest.run(with(List.of("retrain", "--dataset", d[0], "--data", SAMPLES.resolve(d[0]).toString(),
                    "--iters", "1", "--classes", d[1], "--out", run.toString()), TINY_NET));
            assertEquals(0, r.code(), d[0] + ": " + r.err());
        }
    }

    @Test void brokenDataIsRefusedUpFrontNamingTheFileAndNothingIsWritten() throws IOException {
        Path copy = tmp.resolve("cityscapes");
        try (Stream<Path> s = Files.walk(SAMPLES.resolve("cityscapes"))) {
            for (Path p : s.toList()) {
                Path to = copy.resolve(SAMPLES.resolve("cityscapes").relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to); else Files.copy(p, to);
            }
        }
        Path gone = copy.resolve("gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png");
        Files.delete(gone);
        Path run = tmp.resolve("refused");
        MainTest.Result r = MainTest.run(with(List.of("retrain", "--dataset", "cityscapes", "--data", copy.toString(), "--iters", "1",
                "--out", run.toString()), TINY_NET));
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: cityscapes/train: 1 problem"), r.err());
        assertTrue(r.err().contains("aachen_000000_000019") && !r.err().contains("\tat "), "names the file, no stack trace: " + r.err());
        assertFalse(Files.exists(run), "nothing written for refused data");

        // a file whose header reads but whose pixels do not: passes the up-front checks, stops the run when it is decoded
        Files.copy(SAMPLES.resolve("cityscapes/gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png"), gone);
        Path image = copy.resolve("leftImg8bit/train/aachen/aachen_000001_000019_leftImg8bit.png");
        byte[] bytes = Files.readAllBytes(image);
        Files.write(image, java.util.Arrays.copyOf(bytes, 60));
        Path late = tmp.resolve("late");
        MainTest.Result mid = MainTest.run(with(List.of("retrain", "--dataset", "cityscapes", "--data", copy.toString(), "--iters", "2",
                "--out", late.toString()), TINY_NET));
        assertEquals(1, mid.code(), mid.err());
        assertTrue(mid.err().startsWith("error: ") && mid.err().contains("aachen_000001_000019_leftImg8bit.png") && !mid.err().contains("\tat "), mid.err());

        MainTest.Result noData = MainTest.run("search", "--dataset", "voc", "--device", "cpu", "--out", tmp.resolve("x").toString());
        assertEquals(2, noData.code());
        assertTrue(noData.err().contains("needs --data"), noData.err());
        MainTest.Result unknown = MainTest.run("retrain", "--dataset", "coco", "--device", "cpu", "--out", tmp.resolve("y").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("cityscapes"), "lists the datasets: " + unknown.err());
    }
}
