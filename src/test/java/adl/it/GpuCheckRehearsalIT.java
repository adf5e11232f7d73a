package adl.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU check rehearsed whole (docs/05f-mock-gpu.md §4): {@code scripts/gpu-check.sh OUT} run as on
 * the GPU node — on a tree holding only what the node gets (target/adl-engine.jar, .jre.tar.gz from
 * scripts/make-jre.sh, scripts/), with {@code ADL_JAVA=none} and a PATH without any JDK or Maven,
 * so only the bundled runtime can run the jar — against the mock GPU at tiny sizes
 * ({@code ADL_GPU_CHECK_CROPS}, {@code ADL_GPU_CHECK_BENCH_ARGS}). Every step must exit 0 and
 * report.md must hold every section. A module missing from the bundled runtime fails here.
 */
class GpuCheckRehearsalIT {
    static final String CROP = "24";
    static final String BENCH_ARGS = "--layers 2 --blocks 2 --filter-multiplier 2 --iters 1 --warmup 1";
    /** The bundled runtime, kept between runs while nothing it is made from changed (make-jre.sh takes ~35 s on 2 cores). */
    private static final Path CACHED_JRE = Path.of("target/it-jre.tar.gz").toAbsolutePath();

    @TempDir Path tmp;

    @Test void gpuCheckRunsWholeWithTheBundledRuntimeOnTheMock() throws Exception {
        Path node = gpuNodeTree(tmp.resolve("node"));
        Path bin = pathWithoutJava(tmp.resolve("bin"));
        Path out = tmp.resolve("out");
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin.toString());
        env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        env.put("LANG", "C.UTF-8");
        env.put("ADL_JAVA", "none");
        env.put("ADL_CUDA_LIB_DIR", MockGpu.libDir().toString());
        env.put("ADL_GPU_CHECK_CROPS", CROP);
        env.put("ADL_GPU_CHECK_BENCH_ARGS", BENCH_ARGS);
        Adl.Result r = Adl.command(List.of(bin.resolve("bash").toString(), node.resolve("scripts/gpu-check.sh").toString(), out.toString()),
                env, Duration.ofSeconds(420), true);
        assertEquals(0, r.exit(), r.tail(40));
        Path reportFile = out.resolve("report.md");
        assertTrue(Files.isRegularFile(reportFile), "no report.md:\n" + r.tail(40));
        String report = Files.readString(reportFile);
        assertTrue(report.contains("bundled"), "the bundled runtime ran the jar:\n" + report);
        for (String section : List.of("# GPU check", "## Device", "## Selftest", "## Search step", "## Crashes", "## Steps", "## Skipped")) {
            assertTrue(report.contains("\n" + section) || report.startsWith(section), "report.md lacks '" + section + "':\n" + report);
        }
        assertTrue(report.contains("adl mock GPU (CPU)"), "the device section names the mock:\n" + report);
        assertTrue(report.matches("(?s).*\n    selftest: passed=\\d+ failed=0\n.*"), "the selftest summary, all passed:\n" + report);
        assertTrue(report.matches("(?s).*\n## Crashes\n\nnone\n.*"), "no crash:\n" + report);
        String row = report.lines().filter(l -> l.startsWith("| " + CROP + " |")).findFirst().orElse("");
        assertEquals(2, row.split("search-step: ", -1).length - 1, "eager and --cuda-graphs search-step lines at crop " + CROP + ": " + row);
        Map<String, String> steps = steps(report);
        for (String step : List.of("devices", "selftest-cuda", "search-step-adl-" + CROP, "search-step-adl-graphs-" + CROP)) {
            assertTrue(steps.containsKey(step), "no step " + step + " in report.md:\n" + report);
        }
        steps.forEach((step, exit) -> assertEquals("0", exit, "step " + step + " exit code; " + out.resolve(step + ".log") + ":\n" + report));
        assertFalse(report.contains("failed (exit"), report);
    }

    /** The "## Steps" table of report.md: step name → exit code. */
    private static Map<String, String> steps(String report) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        int at = report.indexOf("## Steps");
        assertTrue(at >= 0, report);
        for (String line : report.substring(at).lines().toList()) {
            String[] f = line.split("\\|", -1);
            if (f.length < 4 || f[1].isBlank() || f[1].strip().equals("step") || f[1].startsWith("---")) continue;
            m.put(f[1].strip(), f[2].strip());
        }
        assertFalse(m.isEmpty(), "an empty steps table:\n" + report);
        return m;
    }

    /** What the GPU node gets: the jar, the bundled runtime and scripts/ — nothing else of the repository. */
    private static Path gpuNodeTree(Path node) throws IOException {
        copyTree(Path.of("scripts"), node.resolve("scripts"));
        Files.createDirectories(node.resolve("target"));
        Files.copy(Adl.JAR, node.resolve("target/adl-engine.jar"));
        if (!jreUpToDate()) {
            Map<String, String> env = Map.of("ADL_JAVA", Adl.JAVA.toString());
            Adl.Result r = Adl.command(List.of("bash", node.resolve("scripts/make-jre.sh").toString()), env, Duration.ofSeconds(240), false);
            assertEquals(0, r.exit(), r.tail(20));
            Files.copy(node.resolve(".jre.tar.gz"), CACHED_JRE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.copy(CACHED_JRE, node.resolve(".jre.tar.gz"));
        }
        return node;
    }

    /** The cached runtime is newer than the sources, dependencies and script it comes from. */
    private static boolean jreUpToDate() throws IOException {
        if (!Files.isRegularFile(CACHED_JRE)) return false;
        FileTime t = Files.getLastModifiedTime(CACHED_JRE);
        for (Path src : List.of(Path.of("src/main"), Path.of("pom.xml"), Path.of("scripts/make-jre.sh"), Path.of("scripts/find-java.sh"))) {
            try (Stream<Path> s = Files.walk(src)) {
                if (s.anyMatch(p -> modifiedAfter(p, t))) return false;
            }
        }
        return true;
    }

    private static boolean modifiedAfter(Path p, FileTime t) {
        try {
            return Files.getLastModifiedTime(p).compareTo(t) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * A folder of links to every command in /usr/bin and /bin except those of a JDK or of Maven
     * (java, javac, jar, mvn, ... resolve into /usr/lib/jvm or /usr/share/maven): the PATH of a
     * GPU node with no Java and no build tools.
     */
    private static Path pathWithoutJava(Path bin) throws IOException {
        Files.createDirectories(bin);
        for (String dir : List.of("/usr/bin", "/bin")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                for (Path p : s.toList()) {
                    Path link = bin.resolve(p.getFileName().toString());
                    if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(p) || Files.isDirectory(p)) continue;
                    String real = p.toRealPath().toString();
                    if (real.startsWith("/usr/lib/jvm/") || real.startsWith("/usr/share/maven")) continue;
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        for (String tool : List.of("java", "javac", "jlink", "mvn")) assertFalse(Files.exists(bin.resolve(tool)), tool + " on the rehearsal PATH");
        assertTrue(Files.isExecutable(bin.resolve("bash")) && Files.isExecutable(bin.resolve("tar")), "bash and tar on the rehearsal PATH");
        return bin;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else Files.copy(p, dst, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
