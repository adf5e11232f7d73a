package adl.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The files of a run directory (docs/10-run-directory.md) and how each is written: whole files atomically
 * (temp file, then rename), logs appended line by line, checkpoints under checkpoints/.
 */
public final class RunFiles {
    public static final String CONFIG = "config.json", SPLIT = "split.json", METRICS = "metrics.csv",
            ARCHITECTURE = "architecture.json", HISTORY = "architecture_history.jsonl", CHECKPOINTS = "checkpoints";
    public static final String METRICS_HEADER = "epoch,iteration,train_loss,arch_loss,val_loss,val_miou,lr,seconds";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    public RunFiles(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }

    public Path file(String name) { return dir.resolve(name); }

    public Path checkpointDir() { return dir.resolve(CHECKPOINTS); }

    /** Writes {@code text} to dir/name atomically. */
    public void writeAtomically(String name, String text) throws IOException {
        writeAtomically(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = tempFor(target);
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw IoErrors.writing(target, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies {@code source} to {@code target} through a temp file and an atomic rename, streaming (no copy in memory). */
    static void copyAtomically(Path source, Path target) throws IOException {
        Path tmp = tempFor(target);
        try {
            Files.copy(source, tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw IoErrors.writing(target, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A fresh temp file name beside {@code target} ({@code .NAME.<random>.tmp}, what {@link RunLock}
     * cleans up), its folder created. Not created itself: the writer creates it, so that it gets the
     * permissions of the user's umask like every other file of the run (Files.createTempFile
     * would make it owner-only).
     */
    static Path tempFor(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw IoErrors.writing(target, e);
        }
        return parent.resolve("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
    }

    private static final java.util.Random RANDOM = new java.security.SecureRandom();

    public void writeJson(String name, Object value) throws IOException { writeAtomically(name, JSON.writeValueAsString(value) + "\n"); }

    /** dir/name read as {@code type}; a one-line IOException naming the file and the field when it is not one. */
    public <T> T readJson(String name, Class<T> type) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) throw new IOException(p + " does not exist: is " + dir + " a run directory?");
        try {
            return JSON.readValue(p.toFile(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(p + ": " + IoErrors.jsonProblem(e, type.getSimpleName()));
        }
    }

    /** Appends one line (and a newline) to dir/name, creating it with {@code header} first if missing. */
    public void appendLine(String name, String header, String line) throws IOException {
        Path p = dir.resolve(name);
        try {
            if (!Files.exists(p) && header != null) Files.writeString(p, header + "\n", StandardOpenOption.CREATE);
            Files.writeString(p, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw IoErrors.writing(p, e);
        }
    }

    /** Keeps only the lines of dir/name (after the header line, if {@code hasHeader}) that {@code keep} accepts. */
    public void filterLines(String name, boolean hasHeader, Predicate<String> keep) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) return;
        List<String> lines = Files.readAllLines(p);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if ((hasHeader && i == 0) || keep.test(lines.get(i))) out.add(lines.get(i));
        }
        writeAtomically(p, (String.join("\n", out) + (out.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
    }

    /** Periodic checkpoints, oldest first (by the iteration in their name). */
    public List<Path> checkpoints() throws IOException {
        Path d = checkpointDir();
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().matches("ckpt-e\\d+-i\\d+\\.safetensors")).sorted().toList();
        }
    }

    /** The newest periodic checkpoint, or null. */
    public Path latestCheckpoint() throws IOException {
        List<Path> all = checkpoints();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    public Path checkpointPath(int epoch, long iteration) {
        return checkpointDir().resolve(String.format("ckpt-e%04d-i%09d.safetensors", epoch, iteration));
    }

    public Path bestCheckpoint() { return checkpointDir().resolve("best.safetensors"); }

    /** Deletes all but the newest {@code keep} periodic checkpoints. */
    public void pruneCheckpoints(int keep) throws IOException {
        List<Path> all = checkpoints();
        for (int i = 0; i < all.size() - keep; i++) Files.deleteIfExists(all.get(i));
    }
}
