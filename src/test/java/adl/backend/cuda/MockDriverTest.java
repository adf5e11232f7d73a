package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mock CUDA driver of docs/05f-mock-gpu.md (scripts/mock-gpu/driver): built from source into target/mock-gpu
 * by {@code scripts/mock-gpu/test/run.sh}, which then runs its C++ self-test (out of memory at the
 * capacity, double free and leak reports, the real PTX's fill_f32 and the bar.sync reduction of the
 * weighted-sum gradient against plain references, a wrong parameter count and a freed pointer refused
 * naming the kernel, capture and in-order replay, the calls capture forbids, the PTX ISA check with
 * its JIT log). And every function {@link CudaDriver#BINDINGS} binds is exported under that exact
 * name. Everything runs in subprocesses: the mock is never loaded into this JVM (it would answer
 * for libcuda.so.1 in every later test).
 */
class MockDriverTest {
    private static final Path OUT = Path.of("target/mock-gpu").toAbsolutePath();

    record Run(int exit, String output) {}

    static Run run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Each kernel source has its host build registered under every entry name it defines (scripts/mock-gpu/kernels). */
    @Test
    void everyKernelEntryHasAHostBuild() throws IOException {
        java.util.regex.Pattern entry = java.util.regex.Pattern.compile("extern \"C\" __global__ void (\\w+)\\(");
        List<String> missing = new ArrayList<>();
        try (var sources = java.nio.file.Files.list(Path.of("native-kernels"))) {
            for (Path cu : sources.filter(p -> p.toString().endsWith(".cu")).sorted().toList()) {
                String name = cu.getFileName().toString().replace(".cu", "");
                Path host = Path.of("scripts/mock-gpu/kernels/k_" + name + ".cpp");
                String registered = java.nio.file.Files.exists(host) ? java.nio.file.Files.readString(host) : "";
                java.util.regex.Matcher m = entry.matcher(java.nio.file.Files.readString(cu));
                while (m.find()) {
                    if (!registered.contains("ADLMOCK_KERNEL(" + m.group(1) + ")")) missing.add(host + ": " + m.group(1));
                }
            }
        }
        assertTrue(missing.isEmpty(), "kernels without a host build in the mock GPU: " + missing);
    }

    @Test
    void selfTestOfTheMockDriverPasses() throws Exception {
        Run r = run(List.of("bash", "scripts/mock-gpu/test/run.sh", OUT.toString()), 240);
        assertEquals(0, r.exit(), "scripts/mock-gpu/test/run.sh failed:\n" + r.output());
        assertTrue(r.output().contains("mock_driver_test: checks="), r.output());
        assertTrue(r.output().contains(" failed=0"), r.output());

        Run nm = run(List.of("nm", "-D", "--defined-only", OUT.resolve("libcuda.so.1").toString()), 60);
        assertEquals(0, nm.exit(), nm.output());
        Set<String> exported = new TreeSet<>();
        for (String line : nm.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[1].equals("T")) exported.add(f[2]);
        }
        List<String> missing = new ArrayList<>();
        for (Binding b : CudaDriver.BINDINGS) if (!exported.contains(b.name())) missing.add(b.name());
        assertTrue(missing.isEmpty(), "the mock libcuda.so.1 does not export " + missing);
        for (String contract : List.of("adlmock_enqueue", "adlmock_device_ptr", "adlmock_report", "adlmock_stream_capturing")) {
            assertTrue(exported.contains(contract), "the mock libcuda.so.1 does not export " + contract + " (adl_mock.h)");
        }
        assertTrue(exported.stream().allMatch(s -> s.startsWith("cu") || s.startsWith("adlmock_")),
                "the mock exports only the driver API and the adlmock_ contract: " + exported);
    }
}
