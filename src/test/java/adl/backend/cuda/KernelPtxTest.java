package adl.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed PTX (docs/05c-kernels.md §1, native-kernels/README.md): built from the current native-kernels
 * sources (hash stamp), PTX ISA lowered to at most 7.8 (a CUDA 11.8/12.x driver loads it), the
 * same ISA in every module, for compute_80, assembles for sm_80 and sm_90 where ptxas
 * exists, packed into the classpath at /kernels-ptx/, and declares every entry point the CUDA
 * backend launches. Needs no GPU.
 */
class KernelPtxTest {
    private static final Path SOURCES = Path.of("native-kernels");
    private static final Path PTX = Path.of("kernels-ptx");
    private static final String REBUILD = "run native-kernels/build-ptx.sh";

    /** Kernel file -> the extern "C" entry points the CUDA backend launches from it. */
    private static final Map<String, List<String>> ENTRIES = Map.of(
            "weighted_sum", List.of("weighted_sum_fwd_f32", "weighted_sum_bwd_gx_f32",
                    "weighted_sum_bwd_gw_partial_f32", "weighted_sum_bwd_gw_final_f32"),
            "softmax", List.of("softmax_fwd_f32", "softmax_bwd_f32"),
            "cross_entropy", List.of("cross_entropy_fwd_partial_f32", "cross_entropy_fwd_final_f32", "cross_entropy_bwd_f32"),
            "resize", List.of("resize_bilinear_fwd_f32", "resize_bilinear_bwd_f32"),
            "elementwise", List.of("unary_f32", "binary_f32", "fill_f32", "fill_i32", "copy_strided_f32",
                    "copy_strided_i32", "sum_to_f32"),
            "optim", List.of("sgd_f32", "adam_f32"));

    /**
     * Entry point -> its parameter types in order (p = pointer .u64, i = .u32 int, l = long long,
     * f = .f32, d = .f64): the launch-argument layout the CUDA backend packs (native-kernels/README.md).
     */
    private static final Map<String, String> PARAMS = Map.ofEntries(
            Map.entry("weighted_sum_fwd_f32", "p p p p p p p p p p i i"),
            Map.entry("weighted_sum_bwd_gx_f32", "p p p p p p p p p p i i i"),
            Map.entry("weighted_sum_bwd_gw_partial_f32", "p p p p p p p p p p i i"),
            Map.entry("weighted_sum_bwd_gw_final_f32", "p p i"),
            Map.entry("softmax_fwd_f32", "p p i i i i"),
            Map.entry("softmax_bwd_f32", "p p p i i i i"),
            Map.entry("cross_entropy_fwd_partial_f32", "p p p i i i i"),
            Map.entry("cross_entropy_fwd_final_f32", "p p p i"),
            Map.entry("cross_entropy_bwd_f32", "p p p p p i i i i"),
            Map.entry("resize_bilinear_fwd_f32", "p p i i i i i i"),
            Map.entry("resize_bilinear_bwd_f32", "p p i i i i i i"),
            Map.entry("unary_f32", "p p i i f"),
            Map.entry("binary_f32", "p p p i i i i i i i i i i i i i"),
            Map.entry("fill_f32", "p i f"),
            Map.entry("fill_i32", "p i i"),
            Map.entry("copy_strided_f32", "p p i i i i i i i i i i i i"),
            Map.entry("copy_strided_i32", "p p i i i i i i i i i i i i"),
            Map.entry("sum_to_f32", "p p i i i i i i i i i i i i i"),
            Map.entry("sgd_f32", "p p p i p p f f i"),
            Map.entry("adam_f32", "p p p p i p p d d d d"));

    private static List<String> kernelNames() throws IOException {
        try (Stream<Path> s = Files.list(SOURCES)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3)).sorted().toList();
        }
    }

    @Test
    void everyKernelSourceIsListedWithItsEntryPoints() throws IOException {
        assertEquals(new TreeSet<>(ENTRIES.keySet()), new TreeSet<>(kernelNames()),
                "native-kernels/*.cu and the entry-point table of this test must name the same kernels");
    }

    @Test
    void ptxIsBuiltFromTheCurrentSource() throws Exception {
        List<String> problems = new ArrayList<>();
        for (String name : kernelNames()) {
            Path ptx = PTX.resolve(name + ".ptx"), stamp = PTX.resolve(name + ".sha256");
            if (!Files.isRegularFile(ptx) || !Files.isRegularFile(stamp)) {
                problems.add(name + ": kernels-ptx/" + name + ".ptx or .sha256 missing");
                continue;
            }
            String want = sha256(Files.readAllBytes(SOURCES.resolve(name + ".cu")));
            String have = Files.readString(stamp).trim();
            if (!want.equals(have)) problems.add(name + ": stamp " + have + " but " + name + ".cu hashes to " + want);
        }
        assertTrue(problems.isEmpty(), "stale PTX, " + REBUILD + ": " + problems);
    }

    @Test
    void ptxDeclaresLoweredIsaForSm80() throws IOException {
        Pattern version = Pattern.compile("(?m)^\\.version\\s+(\\d+)\\.(\\d+)\\s*$");
        Pattern target = Pattern.compile("(?m)^\\.target\\s+sm_80\\s*$");
        java.util.Set<String> versions = new java.util.TreeSet<>();
        for (String name : kernelNames()) {
            String text = Files.readString(PTX.resolve(name + ".ptx"));
            Matcher m = version.matcher(text);
            assertTrue(m.find(), name + ".ptx has no .version line; " + REBUILD);
            int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
            versions.add(major + "." + minor);
            // build-ptx.sh rewrites nvcc 13's 9.0 to the lowest ISA every module assembles with (7.0 today);
            // 7.8 is the newest a CUDA 11.8 driver loads (PTX ISA release history).
            assertTrue(major == 7 && minor <= 8,
                    name + ".ptx declares .version " + major + "." + minor + "; build-ptx.sh lowers it to at most 7.8, " + REBUILD);
            assertTrue(target.matcher(text).find(), name + ".ptx must declare .target sm_80 (nvcc -arch=compute_80)");
        }
        assertEquals(1, versions.size(), "every module is lowered to the same ISA; found " + versions + ", " + REBUILD);
    }

    @Test
    void ptxDeclaresEveryEntryPoint() throws IOException {
        for (Map.Entry<String, List<String>> e : ENTRIES.entrySet()) {
            String text = Files.readString(PTX.resolve(e.getKey() + ".ptx"));
            for (String entry : e.getValue()) {
                assertTrue(text.contains(".visible .entry " + entry + "("),
                        e.getKey() + ".ptx lacks entry point " + entry + " (extern \"C\" __global__?); " + REBUILD);
            }
        }
    }

    @Test
    void entryPointParametersMatchTheTable() throws IOException {
        Pattern param = Pattern.compile("\\.param\\s+\\.(u64|u32|s32|f32|f64|s64)\\s");
        int listed = 0;
        for (Map.Entry<String, List<String>> e : ENTRIES.entrySet()) {
            String text = Files.readString(PTX.resolve(e.getKey() + ".ptx"));
            for (String entry : e.getValue()) {
                String want = PARAMS.get(entry);
                assertNotNull(want, entry + " has no parameter list in PARAMS");
                listed++;
                int start = text.indexOf(".visible .entry " + entry + "(");
                assertTrue(start >= 0, e.getKey() + ".ptx lacks " + entry);
                String decl = text.substring(start, text.indexOf(')', start));
                Matcher m = param.matcher(decl);
                List<String> have = new ArrayList<>();
                while (m.find()) {
                    have.add(switch (m.group(1)) {
                        case "u64", "s64" -> "p";
                        case "u32", "s32" -> "i";
                        case "f32" -> "f";
                        default -> "d";
                    });
                }
                // 64-bit integers (long long) and pointers are both .u64 in PTX: 'l' reads as 'p'.
                assertEquals(want.replace('l', 'p'), String.join(" ", have),
                        entry + " parameter types changed: update native-kernels/README.md, this table and the CUDA bindings");
            }
        }
        assertEquals(PARAMS.size(), listed, "PARAMS names an entry point that ENTRIES does not");
    }

    @Test
    void ptxIsOnTheClasspath() throws IOException {
        for (String name : kernelNames()) {
            try (InputStream in = KernelPtxTest.class.getResourceAsStream("/kernels-ptx/" + name + ".ptx")) {
                assertNotNull(in, "/kernels-ptx/" + name + ".ptx is not on the classpath (pom.xml <resources>)");
                assertEquals(Files.readString(PTX.resolve(name + ".ptx")), new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        "/kernels-ptx/" + name + ".ptx on the classpath differs from kernels-ptx/" + name + ".ptx; rebuild");
            }
        }
    }

    @Test
    void ptxAssemblesForSm80AndSm90() throws Exception {
        Assumptions.assumeTrue(onPath("ptxas"), "ptxas is not on PATH");
        for (String name : kernelNames()) {
            for (String arch : List.of("sm_80", "sm_90")) {
                Process p = new ProcessBuilder("ptxas", "-arch=" + arch, PTX.resolve(name + ".ptx").toString(), "-o", "/dev/null")
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("ptxas -arch=" + arch + " " + name + ".ptx timed out");
                }
                assertEquals(0, p.exitValue(), "ptxas -arch=" + arch + " " + name + ".ptx failed:\n" + log);
            }
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    private static String sha256(byte[] data) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
