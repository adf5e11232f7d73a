package adl.it;

import adl.train.Safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the integration tests read back from a run directory (README: "The run directory holds ..."). */
final class RunDir {
    private RunDir() {}

    /**
     * The numeric columns of metrics.csv that a run computes (train_loss, arch_loss, val_loss,
     * val_miou), keyed "iteration/column" in file order; empty fields and the wall-clock column
     * are left out.
     */
    static Map<String, Double> metrics(Path run) {
        List<String> lines = lines(run.resolve("metrics.csv"));
        String[] head = lines.get(0).split(",", -1);
        assertEquals("epoch,iteration,train_loss,arch_loss,val_loss,val_miou,lr,seconds", lines.get(0), "metrics.csv header");
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            for (int c = 2; c <= 5; c++) {
                if (!f[c].isEmpty()) m.put(f[1] + "/" + head[c], Double.parseDouble(f[c]));
            }
        }
        return m;
    }

    /** The names of the checkpoint files, sorted: ckpt-e*-i*.safetensors, best.safetensors (and no temporary file). */
    static List<String> checkpointNames(Path run) {
        Path dir = run.resolve("checkpoints");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checkpoint files' bytes, by name (read once the run has ended). */
    static Map<String, byte[]> checkpointBytes(Path run) {
        Map<String, byte[]> m = new TreeMap<>();
        try {
            for (String n : checkpointNames(run)) m.put(n, Files.readAllBytes(run.resolve("checkpoints").resolve(n)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** The newest periodic checkpoint (names sort by epoch and iteration). */
    static Path newestCheckpoint(Path run) {
        List<String> names = new ArrayList<>(checkpointNames(run));
        names.removeIf(n -> !n.startsWith("ckpt-"));
        assertTrue(!names.isEmpty(), "no ckpt-*.safetensors in " + run.resolve("checkpoints"));
        return run.resolve("checkpoints").resolve(names.get(names.size() - 1));
    }

    /** One F32 tensor of a safetensors file. */
    static float[] tensor(Path file, String name) {
        try {
            Safetensors.Entry e = Safetensors.read(file).entries().get(name);
            assertTrue(e != null && e.f32() != null, file + " has no F32 tensor " + name);
            return e.f32();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static Safetensors.Contents read(Path file) {
        try {
            return Safetensors.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
