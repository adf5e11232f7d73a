package adl.backend.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Without a driver the CUDA classes still load, and say exactly why there is no device, fast. */
class CudaAvailabilityTest {
    @TempDir Path root;

    private static boolean driverPresent() {
        try (Arena a = Arena.ofConfined()) {
            NativeLibraries.fromEnvironment().load(NativeLibraries.Library.CUDA, a);
            return true;
        } catch (CudaUnavailableException e) {
            return false;
        }
    }

    @Test void loadingTheDriverWithoutOneFailsClearlyWithinASecond() {
        assumeFalse(driverPresent(), "this machine has an NVIDIA driver");
        long t0 = System.nanoTime();
        var e = assertThrows(CudaUnavailableException.class, () -> {
            try (Arena a = Arena.ofConfined()) {
                NativeLibraries.fromEnvironment().load(NativeLibraries.Library.CUDA, a);
            }
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "took " + ms + " ms");
        assertTrue(e.getMessage().startsWith("libcuda.so.1 not found: no NVIDIA driver installed (searched: "), e.getMessage());
    }

    @Test void describeAvailabilityWithoutADriverSaysWhy() {
        assumeFalse(driverPresent(), "this machine has an NVIDIA driver");
        long t0 = System.nanoTime();
        String report = CudaAvailability.describeAvailability();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "took " + ms + " ms");
        List<String> lines = report.lines().toList();
        assertEquals(3, lines.size(), report);
        assertTrue(lines.get(0).startsWith("CUDA: not available: libcuda.so.1 not found: no NVIDIA driver installed"), report);
        assertTrue(lines.get(1).startsWith("cuDNN"), report);
        assertTrue(lines.get(2).startsWith("cuBLAS"), report);
    }

    @Test void aFakeLibraryFileIsReportedAsUnloadableNotAsMissing() throws Exception {
        Path d = Files.createDirectories(root.resolve("lib"));
        Files.writeString(d.resolve("libcuda.so.1"), "not an ELF file");
        var libs = new NativeLibraries(Map.of(), Map.of(), List.of(d), List.of(), List.of());
        String report = CudaAvailability.describe(libs, Arena.ofAuto());
        String first = report.lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("CUDA: not available: " + d.resolve("libcuda.so.1") + " exists but cannot be loaded"), report);
        assertTrue(report.contains("cuDNN: not available: libcudnn.so.9 not found"), report);
        assertTrue(report.contains("cuBLAS: not available: libcublas.so.13 / libcublas.so.12 not found"), report);
    }

    @Test void bindingsAreCreatedLazilySoTheClassesLoadWithoutAGpu() {
        // An empty lookup: constructing the wrappers touches no symbol; the first call names the missing one.
        var drv = new CudaDriver(name -> java.util.Optional.empty());
        var e = assertThrows(CudaUnavailableException.class, drv::init);
        assertTrue(e.getMessage().contains("does not export cuInit"), e.getMessage());
        new Cudnn(name -> java.util.Optional.empty());
        new Cublas(name -> java.util.Optional.empty());
    }

    @Test void versionText() {
        assertEquals("13.0", CudaAvailability.versionText(13000));
        assertEquals("12.8", CudaAvailability.versionText(12080));
    }
}
