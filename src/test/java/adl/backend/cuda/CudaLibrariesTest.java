package adl.backend.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * cuDNN must be built for the CUDA major of the cuBLAS the backend loads (its libcublasLt is the one
 * cuDNN gets). The loading cases use tiny stand-in libraries compiled here with the system C compiler,
 * exporting only the version functions.
 */
class CudaLibrariesTest {
    @TempDir Path tmp;

    /** Compiles {@code source} into {@code dir/soname} (a shared library with that soname). */
    private static void lib(Path dir, String soname, String source) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path c = dir.resolve(soname + ".c");
        Files.writeString(c, source);
        Process p = new ProcessBuilder("cc", "-shared", "-fPIC", "-Wl,-soname," + soname, "-o", dir.resolve(soname).toString(), c.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "cc " + soname + ": " + out);
    }

    private static boolean haveCc() {
        try {
            Process p = new ProcessBuilder("cc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** cuBLAS {@code major} (version major·10000 + 804) with its libcublasLt, in {@code dir}. */
    private static void cublas(Path dir, int major) throws IOException, InterruptedException {
        lib(dir, "libcublasLt.so." + major, "int cublasLtGetVersion(void) { return " + (major * 10000 + 804) + "; }\n");
        lib(dir, "libcublas.so." + major, "int cublasGetVersion_v2(void *h, int *v) { (void) h; *v = " + (major * 10000 + 804) + "; return 0; }\n");
    }

    /** cuDNN 9.10.0 built for CUDA {@code cudart} (e.g. 12080), with the sub-libraries discovery requires, in {@code dir}. */
    private static void cudnn(Path dir, int cudart) throws IOException, InterruptedException {
        for (String sub : NativeLibraries.CUDNN_REQUIRED) lib(dir, sub, "int adl_" + sub.replaceAll("\\W", "_") + ";\n");
        lib(dir, "libcudnn.so.9", "#include <stddef.h>\nsize_t cudnnGetVersion(void) { return 91000; }\n"
                + "size_t cudnnGetCudartVersion(void) { return " + cudart + "; }\n");
    }

    private static CudaLibraries load(List<Path> dirs, Arena arena) {
        List<String> names = new ArrayList<>();
        for (Path d : dirs) names.add(d.toString());
        NativeLibraries found = new NativeLibraries(Map.of("ADL_CUDA_LIB_DIR", String.join(java.io.File.pathSeparator, names)), Map.of(),
                List.of(), List.of(), List.of());
        return CudaLibraries.load(found, arena, null);
    }

    @Test void aCudnnForAnotherMajorGetsTheCublasOfItsMajorWhenOneIsFound() throws Exception {
        assumeTrue(haveCc(), "no C compiler");
        Path toolkit = tmp.resolve("cuda13"), pip = tmp.resolve("pip-cu12");
        cublas(toolkit, 13);
        cudnn(pip, 12080);
        cublas(pip, 12);
        try (Arena a = Arena.ofShared()) {
            CudaLibraries libs = load(List.of(toolkit, pip), a);
            assertNotNull(libs.cudnn, libs.cudnnLine);
            assertEquals("cuDNN 9.10.0 for CUDA 12.8 (" + pip + ", via ADL_CUDA_LIB_DIR, 3 sub-libraries)", libs.cudnnLine);
            assertEquals("cuBLAS 12.8.4 (" + pip.resolve("libcublasLt.so.12") + " + " + pip.resolve("libcublas.so.12")
                    + ", via ADL_CUDA_LIB_DIR)", libs.cublasLine);
        }
    }

    @Test void aCudnnForAnotherMajorIsRefusedWhenOnlyTheOtherCublasExists() throws Exception {
        assumeTrue(haveCc(), "no C compiler");
        Path toolkit = tmp.resolve("cuda13"), pip = tmp.resolve("pip-cu12");
        cublas(toolkit, 13);
        cudnn(pip, 12080);
        try (Arena a = Arena.ofShared()) {
            CudaLibraries libs = load(List.of(toolkit, pip), a);
            assertNull(libs.cudnn);
            assertNotNull(libs.cublas, libs.cublasLine);
            assertEquals(CudaLibraries.mismatch(91000, 12080, 130804, pip.toString(), toolkit.resolve("libcublas.so.13").toString()),
                    libs.cudnnMissing);
            assertEquals("cuDNN: not usable: " + libs.cudnnMissing, libs.cudnnLine);
        }
    }

    @Test void sameCudaMajorIsAccepted() {
        assertNull(CudaLibraries.mismatch(91000, 13000, 130000, "/a", "/b/libcublas.so.13"));
        assertNull(CudaLibraries.mismatch(90600, 12080, 120804, "/a", "/b/libcublas.so.12"));
        assertNull(CudaLibraries.mismatch(90600, 12020, 120804, "/a", "/b/libcublas.so.12"));
    }

    @Test void anotherMajorIsRefusedWithBothVersionsAndFolders() {
        assertEquals("cuDNN 9.6.0 (/site/nvidia/cudnn/lib) was built for CUDA 12.8 but the cuBLAS found is 13.0.2"
                        + " (/usr/local/cuda/lib64/libcublas.so.13); cuDNN needs libcublasLt.so.12: put a CUDA 12 cuBLAS next to it"
                        + " (e.g. pip nvidia-cublas-cu12) and point adl.cuda.lib.cublas or ADL_CUDA_LIB_DIR at it",
                CudaLibraries.mismatch(90600, 12080, 130002, "/site/nvidia/cudnn/lib", "/usr/local/cuda/lib64/libcublas.so.13"));
    }

    @Test void versionTexts() {
        assertEquals("9.10.0", CudaLibraries.cudnnVersionText(91000));
        assertEquals("13.0.0", CudaLibraries.cublasVersionText(130000));
        assertEquals("12.8.4", CudaLibraries.cublasVersionText(120804));
    }
}
