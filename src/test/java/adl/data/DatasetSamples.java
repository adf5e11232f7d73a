package adl.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The committed synthetic samples of each real format (src/test/resources/datasets/NAME, written
 * by scripts/datasets/make_samples.py; its docstring lists the label contents tests rely on).
 */
public final class DatasetSamples {
    private DatasetSamples() {}

    /** The read-only sample folder of {@code name} (cityscapes, voc, ade20k, folder). */
    public static Path dir(String name) {
        try {
            var url = DatasetSamples.class.getResource("/datasets/" + name);
            if (url == null) throw new IllegalStateException("missing sample /datasets/" + name + " (run scripts/datasets/make_samples.py)");
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A writable copy of sample {@code name} under {@code to}/name, for breaking. */
    public static Path copy(String name, Path to) {
        Path src = dir(name), dst = to.resolve(name);
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dst;
    }

    /** Label value at column x, row y. */
    static int at(Sample s, int x, int y) { return s.label()[y * s.width() + x]; }
}
