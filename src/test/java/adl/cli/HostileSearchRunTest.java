package adl.cli;

import adl.train.RunFiles;
import adl.train.RunLock;
import adl.train.Safetensors;
import adl.train.SearchConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile cases against a finished search run (docs/07-guarantees.md): damaged, non-finite and
 * lying checkpoints, a locked directory, flags given with --resume, a broken config.json. Each
 * case works on a fresh copy of one tiny run made once.
 */
class HostileSearchRunTest {
    @TempDir static Path shared;
    @TempDir Path tmp;
    static Path finished;

    static final String[] TINY = {"--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--crop", "24", "--train-images", "8",
        "--val-images", "2", "--threads", "1", "--device", "cpu", "--epochs", "2", "--arch-start-epoch", "1", "--iters-per-epoch", "2"};

    @BeforeAll static void searchOnce() {
        finished = shared.resolve("run");
        List<String> a = new ArrayList<>(List.of("search", "--no-recompute", "--out", finished.toString()));
        a.addAll(List.of(TINY));
        MainTest.Result r = MainTest.run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
    }

    /** MainTest.run with System.out (where the training commands print) captured into out as well. */
    static MainTest.Result run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            MainTest.Result r = MainTest.run(args);
            return new MainTest.Result(r.code(), r.out() + buf.toString(StandardCharsets.UTF_8), r.err());
        } finally {
            System.setOut(old);
        }
    }

    Path copy() throws IOException { return Hostile.copy(finished, tmp.resolve("run")); }

    static Path newest(Path run) throws IOException { return new RunFiles(run).latestCheckpoint(); }

    /** Rewrites one tensor of a checkpoint (keeping the rest), with valid checksums. */
    static void poison(Path ckpt, String tensor, float value) throws IOException {
        Safetensors.Contents c = Safetensors.read(ckpt);
        Map<String, Safetensors.Entry> entries = new java.util.LinkedHashMap<>(c.entries());
        Safetensors.Entry e = entries.get(tensor);
        float[] v = e.f32().clone();
        v[0] = value;
        entries.put(tensor, Safetensors.Entry.of(e.shape(), v));
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.keySet().removeIf(k -> k.startsWith("crc32c."));
        Safetensors.write(ckpt, entries, meta);
    }

    @Test void decodeRefusesAnInfiniteAlphaAndKeepsArchitectureJson() throws IOException {
        Path run = copy();
        poison(newest(run), "arch.alpha", Float.POSITIVE_INFINITY);
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("decode", "--run", run.toString()), 1, "arch.alpha", "Infinity", newest(run).getFileName().toString());
        Hostile.assertUnchanged(before);
    }

    @Test void decodeRefusesAFlippedBit() throws IOException {
        Path run = copy();
        Path ckpt = newest(run);
        byte[] b = Files.readAllBytes(ckpt);
        b[b.length - 5] ^= 1;
        Files.write(ckpt, b);
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("decode", "--run", run.toString()), 1, "fails its checksum");
        Hostile.assertUnchanged(before);
    }

    /** Rewrites the JSON header of a safetensors file, keeping its data bytes. */
    static void rewriteHeader(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int n = (int) java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = edit.apply(new String(b, 8, n, StandardCharsets.UTF_8).strip());
        adl.train.HostileSafetensorsTest.raw(file, header, java.util.Arrays.copyOfRange(b, 8 + n, b.length));
    }

    @Test void decodeRefusesANegativeDataOffset() throws IOException {
        Path run = copy();
        Path ckpt = newest(run);
        rewriteHeader(ckpt, h -> h.replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[-160,"));
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("decode", "--run", run.toString()), 1, ckpt.getFileName().toString(), "[-160,", "not a range");
        Hostile.assertUnchanged(before);
    }

    @Test void evalOfASearchCheckpointWithOverlappingRangesIsRefused() throws IOException {
        Path run = copy();
        Path ckpt = newest(run);
        rewriteHeader(ckpt, h -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"data_offsets\":\\[(\\d+),(\\d+)\\]").matcher(h);
            assertTrue(m.find() && m.find());
            long begin = Long.parseLong(m.group(1)), end = Long.parseLong(m.group(2));
            return h.substring(0, m.start()) + "\"data_offsets\":[" + (begin - 4) + "," + (end - 4) + "]" + h.substring(m.end());
        });
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("decode", "--run", run.toString()), 1, ckpt.getFileName().toString(), "overlap");
        Hostile.assertUnchanged(before);
    }

    @Test void resumeSkipsADamagedNewestCheckpointAndSaysWhy() throws IOException {
        Path run = copy();
        Path bad = newest(run);
        byte[] b = Files.readAllBytes(bad);
        Files.write(bad, java.util.Arrays.copyOf(b, b.length / 2));
        MainTest.Result r = run("search", "--resume", run.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("skipped a checkpoint: " + bad), r.out());
        assertTrue(r.out().contains("resumed from ckpt-e0001-i000000002"), r.out());
        Hostile.assertNoInternals(r.out() + r.err());
        assertTrue(Safetensors.read(newest(run)).verified(), "the redone epoch wrote an intact checkpoint");
    }

    @Test void resumeWithNoIntactCheckpointIsOneLineAndChangesNothing() throws IOException {
        Path run = copy();
        for (Path p : new RunFiles(run).checkpoints()) poison(p, "arch.beta", Float.NaN);
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("search", "--resume", run.toString()), 1, "none of its 2 checkpoints is intact", "arch.beta", "NaN");
        Hostile.assertUnchanged(before);
    }

    @Test void resumeRefusesLyingCounters() throws IOException {
        Path run = copy();
        for (Path p : new RunFiles(run).checkpoints()) {
            Safetensors.Contents c = Safetensors.read(p);
            Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
            meta.put("epoch", "-7");
            Safetensors.write(p, c.entries(), meta);
        }
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("search", "--resume", run.toString()), 1, "counter 'epoch' is '-7'");
        Hostile.assertUnchanged(before);
    }

    @Test void aLockedRunDirectoryIsRefusedNamingTheHolder() throws IOException {
        Path run = copy();
        var before = Hostile.snapshot(run);
        try (RunLock held = RunLock.acquire(run)) {
            Hostile.assertRefused(run("search", "--resume", run.toString()), 1, "in use by another adl run (pid " + ProcessHandle.current().pid() + ")");
        }
        Hostile.assertUnchanged(before);
    }

    @Test void aFreshRunIntoALockedDirectoryWritesNothing() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("busy"));
        try (RunLock held = RunLock.acquire(dir)) {
            List<String> a = new ArrayList<>(List.of("search", "--out", dir.toString()));
            a.addAll(List.of(TINY));
            Hostile.assertRefused(run(a.toArray(String[]::new)), 1, "in use by another adl run");
        }
        assertFalse(Files.exists(dir.resolve(RunFiles.CONFIG)));
        assertFalse(Files.exists(dir.resolve(RunFiles.METRICS)));
    }

    @Test void settingsGivenWithResumeAreRefusedNamingConfigJson() throws IOException {
        Path run = copy();
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("search", "--resume", run.toString(), "--lr", "0.5"), 2, "--lr cannot be given with --resume",
                run.resolve("config.json").toString());
        Hostile.assertRefused(run("search", "--resume", run.toString(), "--epochs", "1"), 2, "can only make it longer");
        Hostile.assertUnchanged(before);
    }

    @Test void moreEpochsOnResumeAreRecordedWithANote() throws IOException {
        Path run = copy();
        MainTest.Result r = run("search", "--resume", run.toString(), "--epochs", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: --epochs 3 extends the run from 2 epochs; the learning-rate schedule changed"), r.err());
        assertEquals(3, new RunFiles(run).readJson(RunFiles.CONFIG, SearchConfig.class).epochs());
        assertTrue(newest(run).getFileName().toString().startsWith("ckpt-e0003"), newest(run).toString());
    }

    @Test void aBrokenConfigJsonIsOneLineNamingTheFile() throws IOException {
        Path run = copy();
        Files.writeString(run.resolve("config.json"), "{\"dataset\": \"synthetic\", ");
        var before = Hostile.snapshot(run);
        Hostile.assertRefused(run("search", "--resume", run.toString()), 2, run.resolve("config.json").toString(), "not valid JSON");
        Files.writeString(run.resolve("config.json"), Files.readString(finished.resolve("config.json")).replace("\"lr\" : 0.025", "\"lr\" : -1"));
        Hostile.assertRefused(run("search", "--resume", run.toString()), 2, "config.json", "--lr > 0");
        Files.writeString(run.resolve("config.json"), Files.readString(finished.resolve("config.json")).replace("\"layers\" : 2", "\"layers\" : \"two\""));
        Hostile.assertRefused(run("search", "--resume", run.toString()), 2, "config.json", "'layers'");
        Hostile.assertRefused(run("decode", "--run", run.toString()), 1, "config.json", "'layers'");
        Hostile.assertUnchanged(Map.of(run.resolve(RunFiles.ARCHITECTURE), before.get(run.resolve(RunFiles.ARCHITECTURE))));
    }

    @Test void recomputeIsStoredOnlyWhenOnSoOlderConfigsReadTheSame() throws IOException {
        Path run = copy();
        String cfg = Files.readString(run.resolve("config.json"));
        assertFalse(cfg.contains("recompute"), "a run with --no-recompute writes the older format: " + cfg);
        MainTest.Result r = run("search", "--resume", run.toString());
        assertEquals(0, r.code(), r.err());
        SearchConfig on = new RunFiles(run).readJson(RunFiles.CONFIG, SearchConfig.class);
        on = new SearchConfig(on.dataset(), on.data(), on.resize(), on.device(), on.layers(), on.blocks(), on.filterMultiplier(), on.crop(),
                on.batch(), on.epochs(), on.archStartEpoch(), on.itersPerEpoch(), on.lr(), on.lrMin(), on.momentum(), on.weightDecay(), on.archLr(),
                on.archWeightDecay(), on.archBeta1(), on.archBeta2(), on.trainImages(), on.valImages(), on.seed(), on.threads(),
                on.checkpointMinutes(), on.keepCheckpoints(), true, 1, null);
        new RunFiles(run).writeJson(RunFiles.CONFIG, on);
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"recompute\" : true"));
        assertTrue(new RunFiles(run).readJson(RunFiles.CONFIG, SearchConfig.class).recompute(), "restored on resume");
    }

    @Test void leftoverTempFilesAreRemovedAtTheNextStart() throws IOException {
        Path run = copy();
        Path tmpFile = Files.write(run.resolve("checkpoints/.ckpt-e0003-i000000006.safetensors.5x1.tmp"), new byte[4096]);
        MainTest.Result r = run("search", "--resume", run.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(tmpFile));
        assertTrue(r.out().contains("removed " + tmpFile + " (left by an interrupted write)"), r.out());
    }

    @Test void theNanStopNamesTheNewestFiniteCheckpoint() throws IOException {
        Path run = copy();
        Path good = newest(run);
        Path nan = new RunFiles(run).checkpointPath(3, 6);
        Files.copy(good, nan);
        poison(nan, "arch.alpha", Float.NaN);
        // a longer run with an absurd learning rate diverges in its first steps
        Files.writeString(run.resolve("config.json"), Files.readString(run.resolve("config.json")).replace("\"lr\" : 0.025", "\"lr\" : 1.0E30"));
        MainTest.Result r = run("search", "--resume", run.toString(), "--epochs", "4");
        String line = Hostile.assertRefused(r, 1, "The last good checkpoint is " + good);
        assertFalse(line.contains(nan.getFileName().toString()), line);
    }

    @Test void filesOfARunShareTheUmaskPermissions() throws IOException {
        var mode = Files.getPosixFilePermissions(finished.resolve(RunFiles.METRICS));
        assertEquals(mode, Files.getPosixFilePermissions(finished.resolve(RunFiles.CONFIG)));
        assertEquals(mode, Files.getPosixFilePermissions(finished.resolve(RunFiles.ARCHITECTURE)));
        assertEquals(mode, Files.getPosixFilePermissions(newest(finished)));
        assertEquals(mode, Files.getPosixFilePermissions(new RunFiles(finished).bestCheckpoint()));
    }
}
