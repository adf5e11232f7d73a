package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every driver binding agrees with its prototype in the installed cuda.h, under the versioned name. */
class CudaDriverBindingsTest {
    static final Path CUDA_H = Path.of(System.getenv().getOrDefault("ADL_CUDA_INCLUDE", "/usr/local/cuda/include"), "cuda.h");

    @Test void everyBindingMatchesCudaH() throws IOException {
        assumeTrue(Files.isRegularFile(CUDA_H), "no " + CUDA_H + " on this machine");
        String text = Files.readString(CUDA_H);
        Map<String, CHeaders.Proto> decls = CHeaders.declarations(text);
        Map<String, MemoryLayout> types = CHeaders.typedefs(text, Map.of());
        List<String> problems = CHeaders.compare(CudaDriver.BINDINGS, decls, types);
        assertTrue(problems.isEmpty(), "driver bindings disagree with " + CUDA_H + ":\n" + String.join("\n", problems));
    }

    @Test void headerReaderFollowsVersionedRenames() throws IOException {
        assumeTrue(Files.isRegularFile(CUDA_H), "no " + CUDA_H + " on this machine");
        Map<String, CHeaders.Proto> decls = CHeaders.declarations(Files.readString(CUDA_H));
        // cuMemAlloc is declared under its plain name and exported as cuMemAlloc_v2 with a size_t size;
        // the legacy unversioned cuMemAlloc (unsigned int size) appears only after the #undef block.
        assertEquals(List.of("CUdeviceptr *dptr", "size_t bytesize"), decls.get("cuMemAlloc_v2").params());
        assertEquals(List.of("CUdeviceptr_v1 *dptr", "unsigned int bytesize"), decls.get("cuMemAlloc").params());
        assertTrue(decls.containsKey("cuEventElapsedTime_v2"));
    }

    @Test void aWrongBindingIsReported() throws IOException {
        assumeTrue(Files.isRegularFile(CUDA_H), "no " + CUDA_H + " on this machine");
        String text = Files.readString(CUDA_H);
        List<Binding> wrong = List.of(Binding.status("cuMemAlloc_v2", Binding.P, Binding.I), Binding.status("cuMemAlloc_v9", Binding.P));
        List<String> problems = CHeaders.compare(wrong, CHeaders.declarations(text), CHeaders.typedefs(text, Map.of()));
        assertEquals(2, problems.size(), String.join("\n", problems));
    }

    @Test void namesAreUniqueAndVersionedWhereCudaHRenames() {
        var seen = new HashSet<String>();
        for (Binding b : CudaDriver.BINDINGS) assertTrue(seen.add(b.name()), "bound twice: " + b.name());
        for (String plain : List.of("cuMemAlloc", "cuMemFree", "cuDeviceTotalMem", "cuDevicePrimaryCtxRelease", "cuMemcpyHtoDAsync",
                "cuMemcpyDtoHAsync", "cuStreamBeginCapture", "cuEventElapsedTime", "cuStreamDestroy", "cuEventDestroy", "cuMemGetInfo")) {
            assertTrue(!seen.contains(plain), plain + " must be bound under its versioned name");
        }
    }
}
