package adl.backend.cuda;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mock cuDNN 9 and cuBLAS 13 of docs/05f-mock-gpu.md (scripts/mock-gpu/dnn): {@code scripts/mock-gpu/build.sh
 * target/mock-gpu} builds them next to the mock driver (the folder {@link MockDriverTest} uses; its
 * build skips what is up to date), then {@code scripts/mock-gpu/dnn/test/run.sh} builds and runs
 * their C test: convolutions (groups, padding, stride, dilation, both modes, forward and both
 * backwards), a batch-norm training step, inference and backward, pooling in every mode, SGEMM for
 * every transpose pair and strided batched, all against PyTorch fixtures (make_fixtures.py) or values
 * worked by hand; the algorithm lists (first entry a wrong choice), a non-deterministic algorithm
 * differing between two calls, TF32 rounding under tensor-op math, the documented BAD_PARAM and
 * INVALID_VALUE cases, and work recorded by stream capture then replayed. And every function
 * {@link Cudnn#BINDINGS} and {@link Cublas#BINDINGS} bind is exported. All in subprocesses: the mock
 * is never loaded into this JVM.
 */
class MockDnnTest {
    private static final Path OUT = Path.of("target/mock-gpu").toAbsolutePath();
    private static MockDriverTest.Run build;

    @BeforeAll
    static void buildTheMock() throws Exception {
        build = MockDriverTest.run(List.of("bash", "scripts/mock-gpu/build.sh", OUT.toString()), 300);
    }

    private static void built() {
        assertEquals(0, build.exit(), "scripts/mock-gpu/build.sh " + OUT + " failed:\n" + build.output());
    }

    @Test
    void theCTestOfTheMockCudnnAndCublasPasses() throws Exception {
        built();
        MockDriverTest.Run r = MockDriverTest.run(List.of("bash", "scripts/mock-gpu/dnn/test/run.sh", OUT.toString()), 240);
        assertEquals(0, r.exit(), "scripts/mock-gpu/dnn/test/run.sh failed:\n" + r.output());
        Matcher m = Pattern.compile("dnn_test: (\\d+) checks, (\\d+) failed").matcher(r.output());
        assertTrue(m.find(), r.output());
        assertEquals("0", m.group(2), r.output());
        assertTrue(Integer.parseInt(m.group(1)) >= 400, "fewer checks than the test makes: " + r.output());
        assertFalse(r.output().contains("capture skipped"), "the capture case must run on the real mock driver: " + r.output());
    }

    private static Set<String> exported(String library) throws Exception {
        MockDriverTest.Run nm = MockDriverTest.run(List.of("nm", "-D", "--defined-only", OUT.resolve(library).toString()), 60);
        assertEquals(0, nm.exit(), nm.output());
        Set<String> names = new TreeSet<>();
        for (String line : nm.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[1].equals("T")) names.add(f[2]);
        }
        return names;
    }

    @Test
    void everyBoundFunctionIsExportedUnderItsName() throws Exception {
        built();
        Set<String> dnn = exported("libcudnn.so.9"), blas = exported("libcublas.so.13"), lt = exported("libcublasLt.so.13");
        List<String> missing = new ArrayList<>();
        for (Binding b : Cudnn.BINDINGS) if (!dnn.contains(b.name())) missing.add("libcudnn.so.9 " + b.name());
        for (Binding b : Cublas.BINDINGS) if (!blas.contains(b.name())) missing.add("libcublas.so.13 " + b.name());
        for (String s : List.of("cudnnGetCudartVersion", "cudnnGetVersion")) if (!dnn.contains(s)) missing.add("libcudnn.so.9 " + s);
        for (String s : List.of("cublasLtGetVersion", "cublasLtGetCudartVersion")) if (!lt.contains(s)) missing.add("libcublasLt.so.13 " + s);
        assertTrue(missing.isEmpty(), "not exported: " + missing);
        assertTrue(dnn.stream().allMatch(s -> s.startsWith("cudnn")), "libcudnn.so.9 exports only cudnn*: " + dnn);
        assertTrue(blas.stream().allMatch(s -> s.startsWith("cublas")), "libcublas.so.13 exports only cublas*: " + blas);
        for (String sub : List.of("graph", "ops", "cnn")) {
            assertTrue(exported("libcudnn_" + sub + ".so.9").contains("adlmock_cudnn_" + sub + "_library"), "libcudnn_" + sub + ".so.9");
        }
    }
}
