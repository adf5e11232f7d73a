package adl.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mock GPU of docs/05f-mock-gpu.md, built once per test run: {@code scripts/mock-gpu/build.sh
 * target/mock-gpu}, skipped when every library there is newer than every source it is built from
 * (scripts/mock-gpu/, native-kernels/, kernels-ptx/). A build that fails fails the test that asked
 * for it, with the build's output — it is never skipped.
 */
final class MockGpu {
    private MockGpu() {}

    /** What {@code build.sh} must leave in its folder: the sonames discovery looks for (docs/05a-bindings.md §2). */
    static final List<String> LIBRARIES = List.of("libcuda.so.1", "libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9", "libcublas.so.13", "libcublasLt.so.13", "libnccl.so.2");

    static final Path DIR = Path.of("target/mock-gpu").toAbsolutePath();
    private static final List<Path> SOURCES = List.of(Path.of("scripts/mock-gpu"), Path.of("native-kernels"), Path.of("kernels-ptx"));
    private static boolean built;

    /** The folder holding the mock's libraries (for ADL_CUDA_LIB_DIR), built if needed. */
    static synchronized Path libDir() {
        if (built) return DIR;
        try {
            if (!upToDate()) {
                Adl.Result r = Adl.command(List.of("bash", "scripts/mock-gpu/build.sh", DIR.toString()), Map.of(), Duration.ofMinutes(3));
                if (r.exit() != 0) fail("scripts/mock-gpu/build.sh " + DIR + " exited " + r.exit() + ":\n" + r.tail(40));
                for (String lib : LIBRARIES) {
                    if (!Files.isRegularFile(DIR.resolve(lib))) fail("scripts/mock-gpu/build.sh did not make " + DIR.resolve(lib) + ":\n" + r.tail(40));
                }
            }
        } catch (IOException e) {
            fail("cannot check " + DIR + ": " + e.getMessage());
        }
        built = true;
        return DIR;
    }

    /** The environment a run on the mock gets: the mock found by discovery, its report written to {@code report} (may be null). */
    static Map<String, String> env(Path report) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("ADL_CUDA_LIB_DIR", libDir().toString()));
        if (report != null) env.put("ADL_MOCK_GPU_REPORT", report.toAbsolutePath().toString());
        return env;
    }

    private static boolean upToDate() throws IOException {
        FileTime oldestOutput = null;
        for (String lib : LIBRARIES) {
            Path p = DIR.resolve(lib);
            if (!Files.isRegularFile(p)) return false;
            FileTime t = Files.getLastModifiedTime(p);
            if (oldestOutput == null || t.compareTo(oldestOutput) < 0) oldestOutput = t;
        }
        for (Path src : SOURCES) {
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                    if (Files.getLastModifiedTime(p).compareTo(oldestOutput) > 0) return false;
                }
            }
        }
        return true;
    }
}
