package adl.dist;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real 2-rank Open MPI job on this machine: {@code mpirun --allow-run-as-root --oversubscribe -np 2}
 * runs {@link AllReduceMain}, whose ranks check their sums bit for bit and print a hash of them, which
 * must agree. Skipped (with the reason) where mpirun is not installed; .ci/run installs it.
 */
class MpiJobTest {
    /** The mpirun on the PATH, or null. */
    static Path mpirun() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, "mpirun");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** mpirun … -np {@code n} {@code command}: {exit code, output}. */
    static Object[] run(int n, List<String> command, Path dir, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(mpirun().toString(), "--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                "-np", String.valueOf(n)));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("OMPI_MCA_rmaps_base_oversubscribe", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mpirun did not end in " + timeoutSeconds + " s: " + new String(out));
        }
        return new Object[] {p.exitValue(), new String(out)};
    }

    @Test void twoRanksAllReduceToTheSameBits() throws Exception {
        Assumptions.assumeTrue(mpirun() != null, "mpirun is not installed (apt-get install openmpi-bin libopenmpi3): 2-rank job skipped");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path root = Path.of("").toAbsolutePath();
        Object[] r = run(2, List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                root.resolve("target/classes") + ":" + root.resolve("target/test-classes"), "adl.dist.AllReduceMain"), root, 120);
        String out = (String) r[1];
        assertEquals(0, r[0], out);
        List<String> lines = out.lines().filter(l -> l.startsWith("rank ")).sorted().toList();
        assertEquals(2, lines.size(), out);
        assertTrue(lines.get(0).startsWith("rank 0 of 2 ok"), out);
        assertTrue(lines.get(1).startsWith("rank 1 of 2 ok"), out);
        // same bits: everything after the rank is identical; 1 + 2 = 3, 0.1 + 0.1; rank 1 said true; rank 1's values broadcast
        assertEquals(lines.get(0).substring("rank 0".length()), lines.get(1).substring("rank 1".length()), out);
        assertTrue(lines.get(0).contains(" sum 3.0 0.2 any true none false bcast [11.0, 12.0]"), out);
    }
}
