package adl.it;

import adl.train.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short search (docs/03) on the mock GPU against the same search on the CPU, and with
 * {@code --cuda-graphs} against the eager mock run (docs/05d-cuda-graphs.md). 2 epochs of 4 iterations, the
 * architecture steps from epoch 1: with --cuda-graphs each of the two graphs (weight step; weight
 * + architecture step) warms up for 2 iterations, is captured at the 3rd and replayed at the 4th.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchMockIT {
    /**
     * Batch 4, not 2: at batch 2 the image-pooling branch normalises two values per channel, an
     * ill-conditioned step that turns the float rounding differences of the first iterations into
     * 4% loss differences by iteration 8 (and |Δα| 0.018), which would hide a real error.
     */
    static final String[] FLAGS = {"--crop", "32", "--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--batch", "4",
            "--epochs", "2", "--arch-start-epoch", "1", "--iters-per-epoch", "4", "--train-images", "16", "--val-images", "2"};

    /**
     * Losses on the mock within this relative distance of the CPU's. The mock's cuDNN/cuBLAS and
     * kernels sum in other orders than the CPU backend, so the losses are not bitwise equal;
     * measured worst 4.9e-6 (iteration 7's architecture loss), a margin of 20x.
     */
    static final double LOSS_RTOL = 1e-4;
    /** α and β after the run within this absolute distance of the CPU's; measured worst 2.3e-5 (α; β 6.3e-7), a margin of 4x. */
    static final double ARCH_ATOL = 1e-4;

    @TempDir static Path tmp;
    Path cpu, eager, graphs;

    @BeforeAll void searchThreeTimes() {
        cpu = search("cpu", Map.of());
        eager = search("cuda", MockGpu.env(null));
        graphs = search("cuda", MockGpu.env(null), "--cuda-graphs");
    }

    private Path search(String device, Map<String, String> env, String... extra) {
        Path out = tmp.resolve(device + extra.length);
        List<String> args = new ArrayList<>(List.of("search", "--device", device, "--out", out.toString()));
        args.addAll(List.of(FLAGS));
        args.addAll(List.of(extra));
        Adl.Result r = Adl.run(env, Duration.ofSeconds(180), args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.tail(30));
        assertTrue(r.out().contains("path (level per layer):"), r.tail(30));
        assertTrue(!r.err().contains("--cuda-graphs ignored"), r.tail(30));
        return out;
    }

    @Test void lossesOnTheMockFollowTheCpu() {
        Map<String, Double> c = RunDir.metrics(cpu), g = RunDir.metrics(eager);
        assertEquals(c.keySet(), g.keySet(), "the same metrics rows and columns");
        assertEquals(8 + 4 + 2 + 2, c.size(), "8 train losses, 4 architecture losses, 2 validation losses and mIoUs: " + c.keySet());
        double worst = 0;
        for (String k : c.keySet()) {
            if (k.endsWith("val_miou")) continue;
            double rel = Math.abs(g.get(k) - c.get(k)) / Math.abs(c.get(k));
            worst = Math.max(worst, rel);
            assertTrue(rel <= LOSS_RTOL, k + ": mock " + g.get(k) + " vs cpu " + c.get(k) + " (relative " + rel + ")");
        }
        System.out.printf("SearchMockIT: worst relative loss difference mock vs cpu %.3g (tolerance %.0e)%n", worst, LOSS_RTOL);
    }

    @Test void alphaAndBetaOnTheMockFollowTheCpu() {
        Path c = RunDir.newestCheckpoint(cpu), g = RunDir.newestCheckpoint(eager);
        assertEquals(c.getFileName(), g.getFileName(), "the same newest checkpoint");
        double worst = 0;
        for (String name : List.of("arch.alpha", "arch.beta")) {
            float[] a = RunDir.tensor(c, name), b = RunDir.tensor(g, name);
            assertEquals(a.length, b.length, name);
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                worst = Math.max(worst, d);
                assertTrue(d <= ARCH_ATOL, name + "[" + i + "]: mock " + b[i] + " vs cpu " + a[i]);
            }
        }
        System.out.printf("SearchMockIT: worst |Δα|, |Δβ| mock vs cpu %.3g (tolerance %.0e)%n", worst, ARCH_ATOL);
    }

    @Test void cudaGraphsGiveTheEagerRunBitForBit() throws Exception {
        assertEquals(Files.readAllLines(eager.resolve("metrics.csv")).stream().map(SearchMockIT::dropSeconds).toList(),
                Files.readAllLines(graphs.resolve("metrics.csv")).stream().map(SearchMockIT::dropSeconds).toList(), "metrics.csv");
        Map<String, Safetensors.Entry> a = RunDir.read(RunDir.newestCheckpoint(eager)).entries();
        Map<String, Safetensors.Entry> b = RunDir.read(RunDir.newestCheckpoint(graphs)).entries();
        assertEquals(a.keySet(), b.keySet(), "checkpoint tensors");
        for (String k : a.keySet()) {
            Safetensors.Entry x = a.get(k), y = b.get(k);
            assertTrue(Arrays.equals(x.f32(), y.f32()) && Arrays.equals(x.f64(), y.f64()) && Arrays.equals(x.i64(), y.i64()),
                    "checkpoint tensor " + k + " differs between eager and --cuda-graphs");
        }
        assertEquals(Files.readString(eager.resolve("architecture.json")), Files.readString(graphs.resolve("architecture.json")));
    }

    private static String dropSeconds(String csvLine) { return csvLine.substring(0, csvLine.lastIndexOf(',')); }
}
