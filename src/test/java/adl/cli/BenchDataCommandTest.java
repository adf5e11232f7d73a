package adl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench data` prints one row per worker count and the keeps-up verdict; timings are not asserted. */
class BenchDataCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test void givenTheSearchTimeItPrintsARowPerWorkerCountAndTheVerdict() {
        assertEquals(0, run("bench", "data", "--crop", "16", "--batch", "2", "--iters", "3", "--workers", "2", "--search-ms", "1000"), err.toString());
        List<String> rows = out.toString().lines().filter(l -> l.matches("\\|\\s+(inline|\\d+) \\|.*")).toList();
        assertEquals(3, rows.size(), out.toString());
        assertTrue(rows.get(0).startsWith("|  inline |"), rows.get(0));
        assertTrue(out.toString().contains("search iteration: 1000.0 ms (given) at crop 16, batch 2 -> needs 4.0 images/s"), out.toString());
        assertTrue(out.toString().strip().lines().reduce((a, b) -> b).orElseThrow()
                .matches("bench data: best_images_per_s=[0-9.]+ needed_images_per_s=4\\.0 keeps_up=(yes|no)"), out.toString());
    }

    @Test void measuresTheSearchStepWhenNotGiven() {
        assertEquals(0, run("bench", "data", "--crop", "16", "--batch", "2", "--iters", "2", "--workers", "1",
                "--device", "cpu", "--layers", "2", "--filter-multiplier", "2", "--search-iters", "1", "--augment", "flip"), err.toString());
        assertTrue(out.toString().matches("(?s).*search iteration: [0-9.]+ ms \\(bench search-step, L=2, F=2\\) at crop 16.*"), out.toString());
    }

    @Test void realDatasetsAreReadFromTheirFiles() {
        assertEquals(0, run("bench", "data", "--dataset", "cityscapes", "--data", "src/test/resources/datasets/cityscapes", "--crop", "32",
                "--batch", "2", "--iters", "2", "--workers", "1", "--search-ms", "1000"), err.toString());
        assertTrue(out.toString().contains("cityscapes/train"), out.toString());
        assertTrue(out.toString().contains("64x128 images"), "the samples' own size: " + out);
        assertEquals(2, run("bench", "data", "--dataset", "cityscapes", "--data", "/nowhere"));
        assertTrue(err.toString().contains("--data /nowhere: no such directory"), err.toString());
    }
}
