package adl.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a run directory held before a run started, so that a run refused before its first
 * checkpoint (a data file that fails to decode) can remove what it wrote and leave the folder as
 * it was: a later run may use the same --out (docs/07-guarantees.md). {@code entries}: what
 * {@code dir} held ({@code existed}) when {@link #before} looked.
 */
record RunDirectory(Path dir, boolean existed, Set<Path> entries) {
    static RunDirectory before(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return new RunDirectory(dir, false, Set.of());
        try (Stream<Path> s = Files.list(dir)) {
            return new RunDirectory(dir, true, new HashSet<>(s.toList()));
        }
    }

    /** Deletes what was created since {@link #before}: the whole folder when it did not exist. Best effort. */
    void undo() {
        try {
            if (!existed) {
                deleteTree(dir);
                return;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(p -> !entries.contains(p)).toList()) deleteTree(p);
            }
        } catch (IOException e) {
            // best effort: the error that made the run stop is what the user needs to see
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
