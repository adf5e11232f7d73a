package adl.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One tiny finished retrain run, made on first use and shared by the hostile cases (read-only: they copy it). */
final class RetrainFixture {
    private static Path run;

    private RetrainFixture() {}

    static synchronized Path run() {
        if (run != null) return run;
        try {
            Path root = Files.createTempDirectory("adl-hostile-retrain");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            Path r = root.resolve("run");
            List<String> a = new ArrayList<>(List.of(RetrainCommandTest.retrain(r, "--iters", "1", "--eval-every", "1")));
            MainTest.Result res = MainTest.run(a.toArray(String[]::new));
            assertEquals(0, res.code(), res.err());
            run = r;
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
