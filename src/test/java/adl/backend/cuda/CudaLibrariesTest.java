package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** cuDNN must be built for the CUDA major of the cuBLAS the backend loads (its libcublasLt is the one cuDNN gets). */
class CudaLibrariesTest {
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
