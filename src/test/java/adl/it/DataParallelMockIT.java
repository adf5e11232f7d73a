package adl.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NCCL path on the mock GPU (docs/08-data-parallel.md §9): a 2-rank {@code --device cuda} search
 * under {@code mpirun -np 2}, each rank on its own mock GPU (ADL_MOCK_GPU_COUNT=2, cuda:local rank),
 * gradients all-reduced by the mock libnccl.so.2, synchronised batch norm through the CUDA statistics
 * path. Compared with the same job with NCCL switched off (ADL_DIST_NCCL=off: device → host → MPI):
 * bit for bit, since for 2 ranks NCCL's a + b is the host path's rank-order sum; and with the 2-rank
 * CPU job, to the tolerances below. The mock NCCL's log shows that the NCCL path ran. Skipped where
 * mpirun is not installed (.ci/run installs Open MPI).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataParallelMockIT {
    static final String[] FLAGS = {"search", "--layers", "2", "--blocks", "2", "--filter-multiplier", "2", "--crop", "24", "--batch", "2",
            "--epochs", "2", "--arch-start-epoch", "0", "--iters-per-epoch", "1", "--train-images", "8", "--val-images", "4",
            "--lr", "0.001", "--lr-min", "0.0001"};
    /**
     * Losses of the mock-GPU job within this relative distance of the CPU job's: the mock's cuDNN and
     * kernels sum in other orders, and batch 1 per rank makes the image-pooling batch norm normalise
     * 2 values (ill-conditioned). Measured worst 1.6e-5 (iteration 2's architecture loss): margin 6x.
     */
    static final double LOSS_RTOL = 1e-4;
    /** α, β after each iteration within this absolute distance of the CPU job's: measured worst 5.6e-5 (α after iteration 2): margin 3.6x. */
    static final double ARCH_ATOL = 2e-4;

    @TempDir static Path tmp;
    Path cpu, nccl, host, ncclLog, hostLog;

    @BeforeAll void threeJobs() {
        Path mpirun = adl.dist.MpiJobTestAccess.mpirun();
        Assumptions.assumeTrue(mpirun != null, "mpirun is not installed (apt-get install openmpi-bin libopenmpi3): the 2-rank mock-GPU job is skipped");
        ncclLog = tmp.resolve("nccl.log");
        hostLog = tmp.resolve("host.log");
        cpu = job(mpirun, "cpu", Map.of(), "cpu");
        Map<String, String> small = mock(ncclLog);
        small.put("ADL_MOCK_NCCL_SLOT_KB", "64"); // the largest gradients (288 KiB) cross the shared memory in 5 pieces
        nccl = job(mpirun, "nccl", small, "cuda");
        Map<String, String> off = mock(hostLog);
        off.put("ADL_DIST_NCCL", "off");
        host = job(mpirun, "host", off, "cuda");
    }

    /** The mock GPU with 2 devices, its libnccl.so.2 found through ADL_DIST_LIB_DIR, its log in {@code log}. */
    static Map<String, String> mock(Path log) {
        Map<String, String> env = new HashMap<>(MockGpu.env(null));
        env.put("ADL_MOCK_GPU_COUNT", "2");
        env.put("ADL_DIST_LIB_DIR", MockGpu.libDir().toString());
        env.put("ADL_MOCK_NCCL_LOG", log.toString());
        return env;
    }

    private Path job(Path mpirun, String name, Map<String, String> env, String device) {
        Path out = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(mpirun.toString(), "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2"));
        for (String k : env.keySet()) cmd.addAll(List.of("-x", k));
        // -cp and the main class: Open MPI 4.1's mpirun crashes (opal_argv_join) on "java ... -jar"
        cmd.addAll(List.of(Adl.JAVA.toString(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx1g", "-cp", Adl.JAR.toString(), "adl.cli.Main"));
        cmd.addAll(List.of(FLAGS));
        cmd.addAll(List.of("--device", device, "--out", out.toString()));
        Adl.Result r = Adl.command(cmd, env, Duration.ofSeconds(400));
        assertEquals(0, r.exit(), r.tail(30));
        assertTrue(r.out().contains("batch 2 (1 per process × 2 processes, synchronised batch norm)"), r.tail(30));
        return out;
    }

    @Test void ncclRanAndEqualsTheHostPathBitForBit() throws IOException {
        List<String> log = Files.readAllLines(ncclLog);
        for (int r = 0; r < 2; r++) {
            String rank = "rank " + r + " of 2: ";
            assertEquals(1, log.stream().filter(l -> l.equals(rank + "ncclCommInitRank")).count(), "rank " + r + " joined once: " + log.subList(0, Math.min(5, log.size())));
            assertTrue(log.stream().anyMatch(l -> l.startsWith(rank + "ncclAllReduce float32 count ")), "rank " + r + " all-reduced over NCCL");
        }
        assertEquals(log.stream().filter(l -> l.startsWith("rank 0")).map(l -> l.substring(12)).toList(),
                log.stream().filter(l -> l.startsWith("rank 1")).map(l -> l.substring(12)).toList(), "both ranks made the same NCCL calls in the same order");
        assertFalse(Files.exists(hostLog), "ADL_DIST_NCCL=off does not touch NCCL");
        assertEquals(RunDir.lines(host.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList(),
                RunDir.lines(nccl.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList(), "metrics without seconds");
        assertEquals(Files.readString(host.resolve("architecture.json")), Files.readString(nccl.resolve("architecture.json")));
        Path a = RunDir.newestCheckpoint(host), b = RunDir.newestCheckpoint(nccl);
        for (String name : List.of("arch.alpha", "arch.beta")) assertArrayEquals(RunDir.tensor(a, name), RunDir.tensor(b, name), name);
        assertEquals(RunDir.checkpointBytes(host).keySet(), RunDir.checkpointBytes(nccl).keySet());
    }

    @Test void cudaJobOnTheMockFollowsTheCpuJob() throws IOException {
        Map<String, Double> c = RunDir.metrics(cpu), g = RunDir.metrics(nccl);
        assertEquals(c.keySet(), g.keySet());
        double worst = 0;
        for (String k : c.keySet()) {
            double rel = Math.abs(g.get(k) - c.get(k)) / Math.max(1e-12, Math.abs(c.get(k)));
            worst = Math.max(worst, rel);
            assertTrue(rel <= LOSS_RTOL, k + ": 2-rank mock GPU " + g.get(k) + " vs 2-rank CPU " + c.get(k) + " (relative " + rel + ")");
        }
        double worstArch = 0;
        for (int it = 1; it <= 2; it++) {
            String f = String.format("checkpoints/ckpt-e%04d-i%09d.safetensors", it, it);
            for (String name : List.of("arch.alpha", "arch.beta")) {
                float[] x = RunDir.tensor(cpu.resolve(f), name), y = RunDir.tensor(nccl.resolve(f), name);
                for (int i = 0; i < x.length; i++) {
                    worstArch = Math.max(worstArch, Math.abs(x[i] - y[i]));
                    assertEquals(x[i], y[i], ARCH_ATOL, name + "[" + i + "] after iteration " + it);
                }
            }
        }
        assertEquals(Files.readString(cpu.resolve("architecture.json")), Files.readString(nccl.resolve("architecture.json")));
        System.out.printf("DataParallelMockIT: worst relative loss difference mock vs cpu %.3g (tolerance %.0e), worst |Δα|, |Δβ| %.3g (tolerance %.0e)%n",
                worst, LOSS_RTOL, worstArch, ARCH_ATOL);
    }

    /** With one mock GPU, rank 1's cuda:1 does not exist: its one line names the rank and the job ends (before: rank 0 waited in a collective for ever). */
    @Test void aRankWithoutItsGpuEndsTheJob() {
        Map<String, String> env = new HashMap<>(MockGpu.env(null));
        List<String> cmd = new ArrayList<>(List.of(adl.dist.MpiJobTestAccess.mpirun().toString(), "--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                "-np", "2", "-x", "ADL_CUDA_LIB_DIR", Adl.JAVA.toString(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx1g",
                "-cp", Adl.JAR.toString(), "adl.cli.Main"));
        cmd.addAll(List.of(FLAGS));
        cmd.addAll(List.of("--device", "cuda", "--out", tmp.resolve("one-gpu").toString()));
        Adl.Result r = Adl.command(cmd, env, Duration.ofSeconds(180));
        assertTrue(r.exit() != 0, r.tail(20));
        assertTrue((r.out() + r.err()).contains("rank 1 of 2: search --device cuda:1: CUDA not available: "), r.tail(20));
    }

    @Test void devicesReportsTheNcclItFinds() {
        Adl.Result found = Adl.run(Map.of("ADL_DIST_LIB_DIR", MockGpu.libDir().toString()), Duration.ofSeconds(60), "devices");
        assertEquals(0, found.exit(), found.tail(20));
        assertTrue(found.out().contains("NCCL: found " + MockGpu.libDir().resolve("libnccl.so.2")), found.tail(20));
    }
}
