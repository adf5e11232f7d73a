package adl.backend.cuda;

import adl.backend.cuda.NativeLibraries.Library;
import adl.backend.cuda.NativeLibraries.Resolution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Library discovery on fake folder trees (empty files named like the real libraries). */
class NativeLibrariesTest {
    @TempDir Path root;

    static final List<String> CUDNN_ALL = List.of("libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9",
            "libcudnn_adv.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9", "libcudnn_heuristic.so.9");

    private Path dir(String rel, String... files) throws IOException {
        Path d = Files.createDirectories(root.resolve(rel));
        for (String f : files) Files.createFile(d.resolve(f));
        return d;
    }

    private NativeLibraries libs(Map<String, String> env, Map<String, String> props, List<Path> system, List<Path> cuda, List<Path> sites) {
        return new NativeLibraries(env, props, system, cuda, sites);
    }

    @Test void explicitPropertyWinsOverEverything() throws IOException {
        Path explicit = dir("mine", "libcuda.so.1");
        Path system = dir("sys", "libcuda.so.1");
        Resolution r = libs(Map.of(), Map.of("adl.cuda.lib.cuda", explicit.toString()), List.of(system), List.of(), List.of())
                .locate(Library.CUDA);
        assertTrue(r.ok(), r.reason());
        assertEquals(explicit.toAbsolutePath().normalize(), r.found().folder().toAbsolutePath().normalize());
        assertTrue(r.found().via().contains("adl.cuda.lib.cuda"));
    }

    @Test void explicitPropertyNamingAFileWorks() throws IOException {
        Path d = dir("mine", "libcublas.so.12", "libcublasLt.so.12");
        Resolution r = libs(Map.of(), Map.of("adl.cuda.lib.cublas", d.resolve("libcublas.so.12").toString()), List.of(), List.of(), List.of())
                .locate(Library.CUBLAS);
        assertTrue(r.ok(), r.reason());
        assertEquals(List.of(d.resolve("libcublasLt.so.12"), d.resolve("libcublas.so.12")), r.found().files());
    }

    @Test void explicitPropertyWithoutTheLibraryIsAnErrorNotAFallback() throws IOException {
        Path empty = dir("empty");
        Path system = dir("sys", CUDNN_ALL.toArray(String[]::new));
        Resolution r = libs(Map.of(), Map.of("adl.cuda.lib.cudnn", empty.toString()), List.of(system), List.of(), List.of())
                .locate(Library.CUDNN);
        assertFalse(r.ok());
        assertTrue(r.reason().startsWith("adl.cuda.lib.cudnn=" + empty + ": no libcudnn.so.9 in"), r.reason());
    }

    @Test void envDirComesBeforeStandardPathWhichComesBeforeToolkitAndSitePackages() throws IOException {
        Path env = dir("env", "libcublas.so.13", "libcublasLt.so.13");
        Path system = dir("sys", "libcublas.so.13", "libcublasLt.so.13");
        Path cuda = dir("cuda/lib64", "libcublas.so.13", "libcublasLt.so.13");
        Path site = root.resolve("site");
        dir("site/nvidia/cu13/lib", "libcublas.so.13", "libcublasLt.so.13");

        var withEnv = libs(Map.of("ADL_CUDA_LIB_DIR", env.toString()), Map.of(), List.of(system), List.of(cuda), List.of(site));
        assertEquals(env.toAbsolutePath().normalize(), withEnv.locate(Library.CUBLAS).found().folder());
        assertEquals("ADL_CUDA_LIB_DIR", withEnv.locate(Library.CUBLAS).found().via());

        var noEnv = libs(Map.of(), Map.of(), List.of(system), List.of(cuda), List.of(site));
        assertEquals("standard library path", noEnv.locate(Library.CUBLAS).found().via());

        var toolkit = libs(Map.of(), Map.of(), List.of(root.resolve("nothing")), List.of(cuda), List.of(site));
        assertEquals(cuda.toAbsolutePath().normalize(), toolkit.locate(Library.CUBLAS).found().folder());

        var pip = libs(Map.of(), Map.of(), List.of(), List.of(), List.of(site));
        Resolution r = pip.locate(Library.CUBLAS);
        assertEquals(site.resolve("nvidia/cu13/lib").toAbsolutePath().normalize(), r.found().folder());
        assertTrue(r.found().via().startsWith("Python site-packages"), r.found().via());
    }

    @Test void cublas13IsPreferredOver12InTheSameFolderAndLtComesFirst() throws IOException {
        Path d = dir("lib", "libcublas.so.12", "libcublasLt.so.12", "libcublas.so.13", "libcublasLt.so.13");
        Resolution r = libs(Map.of(), Map.of(), List.of(d), List.of(), List.of()).locate(Library.CUBLAS);
        assertEquals(List.of(d.resolve("libcublasLt.so.13"), d.resolve("libcublas.so.13")), r.found().files());
    }

    @Test void allCudnnSubLibrariesComeFromTheFolderOfLibcudnn() throws IOException {
        // pip layout: site/nvidia/cudnn/lib holds everything; a stray older copy in the toolkit has only the main library
        Path stray = dir("cuda/lib64", "libcudnn.so.9");
        Path site = root.resolve("site");
        Path good = dir("site/nvidia/cudnn/lib", CUDNN_ALL.toArray(String[]::new));
        Resolution r = libs(Map.of(), Map.of(), List.of(), List.of(stray), List.of(site)).locate(Library.CUDNN);
        assertTrue(r.ok(), r.reason());
        assertEquals(good.toAbsolutePath().normalize(), r.found().folder());
        for (Path f : r.found().files()) assertEquals(r.found().folder(), f.getParent(), "every file from one folder: " + f);
        assertEquals(CUDNN_ALL.size(), r.found().files().size());
        assertEquals("libcudnn_graph.so.9", r.found().files().getFirst().getFileName().toString(), "graph loads first");
        assertEquals("libcudnn.so.9", r.found().main().getFileName().toString(), "the shim loads last");
    }

    @Test void aCudnnFolderMissingASubLibraryIsSkippedAndNamedWhenNothingElseFits() throws IOException {
        Path partial = dir("cuda/lib64", "libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9");
        Resolution r = libs(Map.of(), Map.of(), List.of(), List.of(partial), List.of()).locate(Library.CUDNN);
        assertFalse(r.ok());
        assertTrue(r.reason().startsWith("libcudnn.so.9 not found: cuDNN 9 is not installed"), r.reason());
        assertTrue(r.reason().contains("libcudnn_cnn.so.9 is missing there"), r.reason());
        assertFalse(r.reason().contains("\n"), "one line");
    }

    @Test void cublasWithoutItsLtCompanionIsNotUsed() throws IOException {
        Path d = dir("lib", "libcublas.so.13");
        Resolution r = libs(Map.of(), Map.of(), List.of(d), List.of(), List.of()).locate(Library.CUBLAS);
        assertFalse(r.ok());
        assertTrue(r.reason().contains("libcublasLt.so.13 is missing there"), r.reason());
    }

    @Test void noDriverGivesTheDriverReasonWithTheFoldersSearched() throws IOException {
        Path sys = dir("sys", "libcudart.so.13");
        Path cuda = dir("cuda/lib64/stubs", "libcuda.so");
        dir("site/nvidia/cu13/lib", "libcuda.so.1");
        Resolution r = libs(Map.of(), Map.of(), List.of(sys), List.of(cuda.getParent()), List.of(root.resolve("site"))).locate(Library.CUDA);
        assertFalse(r.ok());
        assertTrue(r.reason().startsWith("libcuda.so.1 not found: no NVIDIA driver installed (searched: "), r.reason());
        assertTrue(r.reason().contains(sys.toString()), r.reason());
        assertFalse(r.reason().contains("site"), "the driver never comes from Python site-packages: " + r.reason());
        assertFalse(r.reason().contains("stubs"), "the toolkit's link-time stub is never the driver: " + r.reason());
        assertFalse(r.reason().contains("\n"));
    }

    @Test void pythonSiteFromEnvIsSearchedBeforeTheDefaultSites() throws IOException {
        Path mine = root.resolve("mysite");
        Path mineLib = dir("mysite/nvidia/cudnn/lib", CUDNN_ALL.toArray(String[]::new));
        Path other = root.resolve("othersite");
        dir("othersite/nvidia/cudnn/lib", CUDNN_ALL.toArray(String[]::new));
        Resolution r = libs(Map.of("ADL_PYTHON_SITE", mine.toString()), Map.of(), List.of(), List.of(), List.of(other)).locate(Library.CUDNN);
        assertEquals(mineLib.toAbsolutePath().normalize(), r.found().folder());
    }

    @Test void toolkitFoldersListPlainCudaFirstThenNewestVersion() throws IOException {
        dir("usr-local/cuda-12.4/lib64");
        dir("usr-local/cuda-13.0/lib64");
        List<Path> dirs = SystemFolders.cudaToolkitDirs(root.resolve("usr-local"));
        assertEquals(List.of(root.resolve("usr-local/cuda/lib64"), root.resolve("usr-local/cuda-13.0/lib64"),
                root.resolve("usr-local/cuda-12.4/lib64")), dirs);
    }
}
