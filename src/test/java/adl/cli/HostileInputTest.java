package adl.cli;

import adl.data.DatasetSamples;
import adl.train.RunFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile command lines and input files (docs/07-guarantees.md): crafted image headers against the
 * pixel limit, usage errors, risky values, a refused run that must leave nothing behind.
 */
class HostileInputTest {
    @TempDir Path tmp;

    /** A PNG whose header claims width × height (8-bit RGB) and whose pixel data is a stub: what a decompression bomb looks like to a header reader. */
    static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 2, 0, 0, 0});
        chunk(d, "IHDR", ihdr.toByteArray());
        chunk(d, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(d, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(DataOutputStream d, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    /** A baseline JPEG header (SOI, SOF0, SOS) claiming width × height, then EOI. */
    static byte[] jpegHeader(int width, int height) {
        return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 17, 8, (byte) (height >> 8), (byte) height,
            (byte) (width >> 8), (byte) width, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
            (byte) 0xFF, (byte) 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0, 0, 0, (byte) 0xFF, (byte) 0xD9};
    }

    @Test void aPngClaiming400MegapixelsIsReportedByDatasetsCheckWithoutDecoding() throws IOException {
        Path data = DatasetSamples.copy("folder", tmp);
        Path bomb = data.resolve("images/train/street_a.png");
        Files.write(bomb, pngHeader(20000, 20000));
        var before = Hostile.snapshot(data);
        MainTest.Result r = MainTest.run("datasets", "check", "--dataset", "folder", "--data", data.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().contains(bomb + ": image is 20000x20000 = 400000000 pixels, over the limit of 64000000 (--max-image-pixels 400000000 would allow it)"), r.out());
        Hostile.assertNoInternals(r.out() + r.err());
        Hostile.assertUnchanged(before);
    }

    @Test void aSearchOnADatasetWithAnOversizedImageIsRefusedBeforeTheRunDirectoryExists() throws IOException {
        Path data = DatasetSamples.copy("folder", tmp);
        Files.write(data.resolve("images/train/street_a.png"), pngHeader(20000, 20000));
        Path out = tmp.resolve("run");
        Hostile.assertRefused(MainTest.run("search", "--dataset", "folder", "--data", data.toString(), "--out", out.toString(), "--device", "cpu"),
                1, "street_a.png", "over the limit");
        assertFalse(Files.exists(out), "nothing is left behind");
    }

    @Test void aJpegHeaderOverTheLimitIsRefusedByPredict() throws IOException {
        Path img = Files.write(tmp.resolve("huge.jpg"), jpegHeader(65000, 65000));
        Path out = tmp.resolve("masks");
        MainTest.Result r = MainTest.run("predict", "--run", RetrainFixture.run().toString(), "--input", img.toString(), "--output", out.toString(),
                "--device", "cpu");
        Hostile.assertRefused(r, 1, "huge.jpg", "65000x65000", "over the limit");
    }

    @Test void maxImagePixelsSetsTheLimit() throws IOException {
        Path data = DatasetSamples.copy("folder", tmp);
        MainTest.Result low = MainTest.run("datasets", "check", "--dataset", "folder", "--data", data.toString(), "--max-image-pixels", "100");
        assertEquals(1, low.code());
        assertTrue(low.out().contains("over the limit of 100 (--max-image-pixels"), low.out());
        MainTest.Result ok = MainTest.run("datasets", "check", "--dataset", "folder", "--data", data.toString());
        assertEquals(0, ok.code(), ok.out());
        Hostile.assertRefused(MainTest.run("datasets", "check", "--dataset", "folder", "--data", data.toString(), "--max-image-pixels", "0"), 2,
                "--max-image-pixels must be >= 1");
    }

    @Test void aDataErrorFoundWhileDecodingLeavesNothingBehind() throws IOException {
        Path data = DatasetSamples.copy("folder", tmp);
        Path png = data.resolve("images/train/street_a.png");
        byte[] b = Files.readAllBytes(png);
        Files.write(png, java.util.Arrays.copyOf(b, b.length * 2 / 3)); // the header is intact, the pixels are cut
        Path out = tmp.resolve("run");
        MainTest.Result r = MainTest.run("search", "--dataset", "folder", "--data", data.toString(), "--out", out.toString(), "--device", "cpu",
                "--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--crop", "32", "--epochs", "1", "--arch-start-epoch", "0",
                "--val-images", "1", "--threads", "1");
        Hostile.assertRefused(r, 1, "street_a.png", "corrupt or unreadable image");
        assertFalse(Files.exists(out), "config.json, split.json, metrics.csv were removed with the folder the run made");
    }

    @Test void bareAdlListsTheCommandsAndExitsNonZero() {
        MainTest.Result r = MainTest.run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("search") && r.err().contains("retrain"), r.err());
    }

    @Test void aUsageErrorPrintsTheShortUsageNotTheHelp() {
        MainTest.Result r = MainTest.run("search", "--batch", "two");
        String line = Hostile.assertRefused(r, 2, "--batch", "two");
        assertEquals("usage: adl search [OPTIONS] (see adl search --help)", Hostile.errorLines(r.err()).get(1), line);
    }

    @Test void anUnknownOptionIsAShortUsageError() {
        Hostile.assertRefused(MainTest.run("retrain", "--itres", "5"), 2, "--itres", "did you mean --iters?");
    }

    @Test void noGpuNoticeBeforeTheArgumentsAreChecked() {
        MainTest.Result r = MainTest.run("search", "--batch", "1", "--out", tmp.resolve("x").toString());
        Hostile.assertRefused(r, 2, "--batch must be >= 2");
        assertFalse(r.err().contains("GPU"), r.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test void archStartEpochAtOrAfterTheLastEpochIsRefused() {
        Path out = tmp.resolve("never");
        Hostile.assertRefused(MainTest.run("search", "--epochs", "3", "--arch-start-epoch", "3", "--out", out.toString()), 2,
                "--arch-start-epoch 3 must be below --epochs 3", "never takes an architecture step");
        assertFalse(Files.exists(out));
    }

    @Test void outThatIsAFileIsRefusedNamingIt() throws IOException {
        Path file = Files.writeString(tmp.resolve("x"), "keep me");
        Hostile.assertRefused(MainTest.run("search", "--out", file.toString()), 2, "--out " + file, "not a folder");
        assertEquals("keep me", Files.readString(file));
    }

    @Test void threadsAboveTheProcessorsAreClampedWithAWarning() {
        MainTest.Result r = MainTest.run("search", "--out", tmp.resolve("t").toString(), "--threads", "1000", "--device", "cpu",
                "--layers", "1", "--blocks", "1", "--filter-multiplier", "1", "--crop", "16", "--train-images", "4", "--val-images", "1",
                "--epochs", "1", "--arch-start-epoch", "0", "--iters-per-epoch", "1");
        assertEquals(0, r.code(), r.err());
        int cores = Runtime.getRuntime().availableProcessors();
        assertTrue(r.err().contains("warning: --threads 1000 is more than the " + cores + " processors here: using " + cores), r.err());
        Hostile.assertRefused(MainTest.run("search", "--threads", "0", "--out", tmp.resolve("z").toString()), 2, "--threads must be >= 1");
    }

    @Test void infoAndRetrainApplyOneRuleForF() throws IOException {
        Path arch = Files.writeString(tmp.resolve("architecture.json"), """
                {"cell": [{"op": "sep_conv_3x3", "input": 0}, {"op": "skip_connect", "input": 1}],
                 "path": [1, 2], "filter_multiplier": 1000000}
                """);
        MainTest.Result info = MainTest.run("info", "--arch", arch.toString(), "--size", "64x64");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("F = 20: the paper's retrain width (the file's filter_multiplier 1000000 is the F it was searched at"),
                info.out());
        assertEquals(RunArchitecture.width(arch.toString(), adl.nas.Architecture.read(arch), null, false),
                new RunArchitecture.Width(20, "F = 20: the paper's retrain width (the file's filter_multiplier 1000000 is the F it was searched at; "
                        + "--filter-multiplier to change)"), "retrain on real data takes the same F");
    }

    @Test void evalRefusesACheckpointWithAnInfiniteWeightNamingIt() throws IOException {
        Path run = Hostile.copy(RetrainFixture.run(), tmp.resolve("r"));
        Path best = new RunFiles(run).bestCheckpoint();
        String tensor = adl.train.Safetensors.read(best).entries().keySet().iterator().next();
        HostileSearchRunTest.poison(best, tensor, Float.NEGATIVE_INFINITY);
        Hostile.assertRefused(MainTest.run("eval", "--run", run.toString(), "--device", "cpu"), 1, "'" + tensor + "'", "-Infinity");
        Hostile.assertRefused(MainTest.run("predict", "--run", run.toString(), "--input", run.resolve("samples").toString(),
                "--output", tmp.resolve("m").toString(), "--device", "cpu"), 1, "'" + tensor + "'", "-Infinity");
        assertFalse(Files.exists(tmp.resolve("m")) && Files.list(tmp.resolve("m")).findAny().isPresent(), "no mask written");
    }

    @Test void aRetrainConfigOfTheWrongShapeIsOneLine() throws IOException {
        Path run = Hostile.copy(RetrainFixture.run(), tmp.resolve("r"));
        String cfg = Files.readString(run.resolve("config.json"));
        Files.writeString(run.resolve("config.json"), cfg.replaceFirst("\"iters\" : \\d+", "\"iters\" : [3]"));
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(MainTest.run("retrain", "--resume", run.toString(), "--device", "cpu"), 2, "config.json", "'iters'");
        Hostile.assertRefused(MainTest.run("retrain", "--resume", run.toString(), "--lr", "1"), 2, "config.json");
        Hostile.assertUnchanged(before);
    }

    @Test void moreItersOnARetrainResumeAreRecordedWithANote() throws IOException {
        Path run = Hostile.copy(RetrainFixture.run(), tmp.resolve("r"));
        MainTest.Result r = MainTest.run("retrain", "--resume", run.toString(), "--iters", "2", "--device", "cpu", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: --iters 2 extends the run from 1 iterations; the learning-rate schedule changed"), r.err());
        assertEquals(2, new RunFiles(run).readJson(RunFiles.CONFIG, adl.train.RetrainConfig.class).iters());
        Hostile.assertRefused(MainTest.run("retrain", "--resume", run.toString(), "--iters", "1"), 2, "can only make it longer");
    }

    @Test void outOfMemoryIsOneLineWithTheCommandAndTheAdvice() {
        String m = OutOfMemory.message(new String[] {"search", "--crop", "2048"}, new OutOfMemoryError("Java heap space"));
        assertTrue(m.startsWith("out of Java heap memory (Java heap space) in 'adl search --crop 2048': the heap limit is "), m);
        assertTrue(m.contains("ADL_JAVA_OPTS=-Xmx") && m.contains("./adl search --crop 2048"), m);
        assertEquals(1, m.lines().count());
    }

    @Test void anArchitectureFileOfTheWrongShapeIsOneLineWithoutClassNames() throws IOException {
        Path f = Files.writeString(tmp.resolve("arch.json"), "[1, 2]");
        Hostile.assertRefused(MainTest.run("info", "--arch", f.toString(), "--size", "64x64"), 2, "arch.json", "want an object");
        Files.writeString(f, "{\"cell\": \"x\", \"path\": [1], \"filter_multiplier\": 8}");
        Hostile.assertRefused(MainTest.run("retrain", "--arch", f.toString(), "--out", tmp.resolve("r").toString()), 2, "field 'cell'");
        Files.writeString(f, "{\"cell\": [{\"op\": \"sep_conv_3x3\", \"input\": 0}, {\"op\": \"skip_connect\", \"input\": 1}], \"path\": []}");
        Hostile.assertRefused(MainTest.run("info", "--arch", f.toString(), "--size", "64x64"), 2, "path needs at least one layer");
        assertFalse(Files.exists(tmp.resolve("r")));
    }

    @Test void evalOfASearchRunSaysSoBeforeChoosingADevice() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("search"));
        Files.writeString(run.resolve("config.json"), "{\"layers\": 2}");
        Files.writeString(run.resolve("split.json"), "{}");
        Files.writeString(run.resolve("architecture.json"), "{}");
        MainTest.Result r = MainTest.run("eval", "--run", run.toString());
        Hostile.assertRefused(r, 2, "this is a search run");
        assertFalse(r.err().contains("GPU"), r.err());
    }

    @Test void aRunDirectoryThatCannotBeCreatedIsOneLine() {
        Path out = Path.of("/proc/self/adl-run");
        Hostile.assertRefused(MainTest.run("search", "--out", out.toString(), "--device", "cpu", "--epochs", "1", "--arch-start-epoch", "0",
                "--layers", "1", "--blocks", "1", "--crop", "16", "--train-images", "4", "--val-images", "1", "--threads", "1"), 1,
                "cannot use " + out + " as a run directory");
    }
}
