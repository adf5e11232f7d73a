package adl.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@code target/adl-engine.jar} (built by {@code package} before the integration tests) in a
 * subprocess, with the Java that runs these tests (a 25: scripts/test.sh picked it), and captures
 * its output. Each run is its own process because device state is cached per JVM
 * ({@code CudaDevices}). A run that outlives its timeout is killed and fails the test with its
 * output so far.
 */
final class Adl {
    private Adl() {}

    static final Path JAR = Path.of("target/adl-engine.jar").toAbsolutePath();
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    /** Exit code, standard output and standard error of one run. */
    record Result(List<String> command, int exit, String out, String err) {
        /** The last {@code n} lines of stdout and stderr, for failure messages. */
        String tail(int n) {
            return "$ " + String.join(" ", command) + "\n--- stdout (tail)\n" + last(out, n) + "\n--- stderr (tail)\n" + last(err, n);
        }

        private static String last(String s, int n) {
            List<String> lines = s.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /** {@code java -jar target/adl-engine.jar ARGS} with {@code env} added to this process's environment. */
    static Result run(Map<String, String> env, Duration timeout, String... args) {
        if (!Files.isRegularFile(JAR)) fail(JAR + " is missing: the integration tests run after `package` (scripts/test.sh runs `mvn verify`)");
        List<String> cmd = new ArrayList<>(List.of(JAVA.toString(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx1g",
                "-Djava.awt.headless=true", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return command(cmd, env, timeout);
    }

    /** Runs {@code cmd} in the repository root; ADL_CUDA_LIB_DIR and ADL_MOCK_GPU_* come only from {@code env}. */
    static Result command(List<String> cmd, Map<String, String> env, Duration timeout) { return command(cmd, env, timeout, false); }

    /** As above; {@code onlyEnv}: the process gets {@code env} and nothing of this process's environment. */
    static Result command(List<String> cmd, Map<String, String> env, Duration timeout, boolean onlyEnv) {
        try {
            Path dir = Files.createDirectories(Path.of("target/it-logs"));
            Path out = Files.createTempFile(dir, "out", ".log"), err = Files.createTempFile(dir, "err", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (onlyEnv) pb.environment().clear();
            pb.environment().keySet().removeIf(k -> k.equals("ADL_CUDA_LIB_DIR") || k.startsWith("ADL_MOCK_GPU_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                Result r = new Result(cmd, -1, Files.readString(out), Files.readString(err));
                fail("timed out after " + timeout.toSeconds() + " s:\n" + r.tail(30));
            }
            Result r = new Result(cmd, p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
