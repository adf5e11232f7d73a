package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static adl.backend.cuda.Binding.I;
import static adl.backend.cuda.Binding.L;
import static adl.backend.cuda.Binding.P;
import static adl.backend.cuda.Binding.status;

/**
 * cuBLAS ({@code libcublas.so.13} or {@code .12}) under its {@code _v2} names, prototypes from
 * {@code cublas_api.h} (quoted in {@code CublasBindingsTest}). Column-major, as cuBLAS is: a row-major
 * {@code C = A·B} is computed as {@code Cᵀ = Bᵀ·Aᵀ}.
 */
public final class Cublas {
    /** Every bound function with its C signature, in one place. */
    public static final List<Binding> BINDINGS = Binding.table(
            status("cublasCreate_v2", P),                 // (cublasHandle_t *handle)
            status("cublasDestroy_v2", P),                // (cublasHandle_t handle)
            status("cublasGetVersion_v2", P, P),          // (cublasHandle_t handle, int *version)
            status("cublasSetStream_v2", P, P),           // (cublasHandle_t handle, cudaStream_t streamId)
            // (handle, transa, transb, m, n, k, const float *alpha, A, lda, B, ldb, const float *beta, C, ldc)
            status("cublasSgemm_v2", P, I, I, I, I, I, P, P, I, P, I, P, P, I),
            // (handle, transa, transb, m, n, k, alpha, A, lda, long long strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount)
            status("cublasSgemmStridedBatched", P, I, I, I, I, I, P, P, I, L, P, I, L, P, P, I, L, I));

    public static final int CUBLAS_OP_N = 0;
    public static final int CUBLAS_OP_T = 1;

    private final Downcalls d;

    public Cublas(SymbolLookup lookup) {
        this.d = new Downcalls("cuBLAS", lookup, BINDINGS);
    }

    private static void check(int r, String fn, String args) {
        if (r != 0) throw new CudaException("cuBLAS", fn, r, statusName(r), "", args);
    }

    /** cublasStatus_t names (cublas_api.h). */
    public static String statusName(int s) {
        return switch (s) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus " + s;
        };
    }

    /** "opA=T, opB=N" for error messages. */
    static String ops(int transA, int transB) {
        return "opA=" + (transA == CUBLAS_OP_T ? "T" : "N") + ", opB=" + (transB == CUBLAS_OP_T ? "T" : "N");
    }

    public MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) d.handle("cublasCreate_v2").invokeExact(out), "cublasCreate_v2", "");
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void destroy(MemorySegment handle) {
        try { check((int) d.handle("cublasDestroy_v2").invokeExact(handle), "cublasDestroy_v2", ""); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** cuBLAS version, e.g. 130000 for 13.0.0. */
    public int version(MemorySegment handle) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            check((int) d.handle("cublasGetVersion_v2").invokeExact(handle, out), "cublasGetVersion_v2", "");
            return out.get(ValueLayout.JAVA_INT, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void setStream(MemorySegment handle, MemorySegment stream) {
        try { check((int) d.handle("cublasSetStream_v2").invokeExact(handle, stream), "cublasSetStream_v2", ""); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** Column-major {@code C = alpha·op(A)·op(B) + beta·C}; alpha/beta point at host floats (default pointer mode). */
    public void sgemm(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha, long a, int lda,
                      long b, int ldb, MemorySegment beta, long c, int ldc) {
        try {
            check((int) d.handle("cublasSgemm_v2").invokeExact(handle, transA, transB, m, n, k, alpha, MemorySegment.ofAddress(a), lda,
                            MemorySegment.ofAddress(b), ldb, beta, MemorySegment.ofAddress(c), ldc), "cublasSgemm_v2",
                    ops(transA, transB) + ", m=" + m + ", n=" + n + ", k=" + k + ", lda=" + lda + ", ldb=" + ldb + ", ldc=" + ldc);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** {@link #sgemm} over {@code batch} matrices {@code strideX} elements apart. */
    public void sgemmStridedBatched(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha,
                                    long a, int lda, long strideA, long b, int ldb, long strideB, MemorySegment beta,
                                    long c, int ldc, long strideC, int batch) {
        try {
            check((int) d.handle("cublasSgemmStridedBatched").invokeExact(handle, transA, transB, m, n, k, alpha,
                            MemorySegment.ofAddress(a), lda, strideA, MemorySegment.ofAddress(b), ldb, strideB, beta,
                            MemorySegment.ofAddress(c), ldc, strideC, batch), "cublasSgemmStridedBatched",
                    ops(transA, transB) + ", m=" + m + ", n=" + n + ", k=" + k + ", lda=" + lda + ", ldb=" + ldb + ", ldc=" + ldc
                            + ", strides " + strideA + "/" + strideB + "/" + strideC + ", batch=" + batch);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }
}
