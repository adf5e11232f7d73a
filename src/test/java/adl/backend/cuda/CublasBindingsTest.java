package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cuBLAS binding table against the prototypes of cublas_api.h (quoted from a CUDA 12.6 include/
 * cublas_api.h, github.com/zspace/system.cuda-12.6, and the cuBLAS documentation's API reference; unchanged
 * in CUDA 13) and against the installed cublas_api.h when present.
 */
class CublasBindingsTest {
    static final String PROTOTYPES = """
            CUBLASAPI cublasStatus_t CUBLASWINAPI cublasCreate_v2(cublasHandle_t* handle);
            CUBLASAPI cublasStatus_t CUBLASWINAPI cublasDestroy_v2(cublasHandle_t handle);
            CUBLASAPI cublasStatus_t CUBLASWINAPI cublasGetVersion_v2(cublasHandle_t handle, int* version);
            CUBLASAPI cublasStatus_t CUBLASWINAPI cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId);
            CUBLASAPI cublasStatus_t CUBLASWINAPI cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa,
                cublasOperation_t transb, int m, int n, int k, const float* alpha, const float* A, int lda,
                const float* B, int ldb, const float* beta, float* C, int ldc);
            CUBLASAPI cublasStatus_t CUBLASWINAPI cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
                cublasOperation_t transb, int m, int n, int k, const float* alpha, const float* A, int lda,
                long long int strideA, const float* B, int ldb, long long int strideB, const float* beta, float* C,
                int ldc, long long int strideC, int batchCount);
            """;

    static final Map<String, MemoryLayout> TYPES = Map.of("cublasHandle_t", CHeaders.P, "cudaStream_t", CHeaders.P,
            "cublasStatus_t", CHeaders.I, "cublasOperation_t", CHeaders.I);

    @Test void bindingsMatchTheQuotedPrototypes() {
        var decls = CHeaders.declarations(PROTOTYPES);
        assertEquals(Cublas.BINDINGS.size(), decls.size(), "one quoted prototype per binding");
        List<String> problems = CHeaders.compare(Cublas.BINDINGS, decls, TYPES);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test void bindingsMatchInstalledHeader() throws IOException {
        Path h = Stream.of(System.getenv("ADL_CUBLAS_INCLUDE"), "/usr/local/cuda/include", "/usr/include")
                .filter(s -> s != null && Files.isRegularFile(Path.of(s, "cublas_api.h"))).map(s -> Path.of(s, "cublas_api.h"))
                .findFirst().orElse(null);
        assumeTrue(h != null, "no cublas_api.h installed");
        String text = Files.readString(h);
        var types = CHeaders.typedefs(text, Map.of("cudaStream_t", CHeaders.P));
        List<String> problems = CHeaders.compare(Cublas.BINDINGS, CHeaders.declarations(text), types);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
