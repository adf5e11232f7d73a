package adl.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Folder walking shared by the dataset readers: sorted listings and the "expected folder" error. */
final class LayoutFiles {
    private LayoutFiles() {}

    /** {@code dir} when it is a folder, else a DatasetException: "{@code what}: expected folder DIR (why)". */
    static Path requireDir(String what, Path dir, String why) {
        if (!Files.isDirectory(dir)) throw layout(what, dir, "expected folder " + dir + " (" + why + ")");
        return dir;
    }

    static DatasetException layout(String what, Path path, String detail) {
        Problem p = new Problem(Problem.Kind.LAYOUT, path, detail);
        return new DatasetException(what + ": " + detail, List.of(p));
    }

    /** Regular files under {@code dir} (down to {@code depth} levels) whose file name passes, sorted by relative path. */
    static List<Path> files(Path dir, int depth, Predicate<String> name) {
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.filter(Files::isRegularFile).filter(p -> name.test(p.getFileName().toString()))
                    .sorted((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list the folder (" + e.getMessage() + ")", e);
        }
    }

    /** Subfolder names of {@code dir}, sorted (none when it is not a folder). */
    static List<String> subfolders(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list the folder (" + e.getMessage() + ")", e);
        }
    }

    /** "name.ext" → "name" when it ends in {@code suffix} (case-sensitive), else null. */
    static String stripSuffix(String fileName, String suffix) {
        return fileName.endsWith(suffix) ? fileName.substring(0, fileName.length() - suffix.length()) : null;
    }
}
