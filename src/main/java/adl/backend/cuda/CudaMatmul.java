package adl.backend.cuda;

import adl.backend.LibraryUnavailableException;
import adl.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static adl.backend.cuda.CudaStorage.ptr;

/**
 * Row-major matmul through column-major SGEMM: {@code C = op(A)·op(B)} with C [M, N] row-major is
 * {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} column-major, i.e. SGEMM(m = N, n = M, k = K) with B's buffer first:
 * a row-major [K, N] B is a column-major N×K matrix (ld N, no transpose), a row-major [N, K] B
 * (transB) is K×N (ld K, transposed); likewise A.
 */
final class CudaMatmul {
    /** Column-major strided-batched SGEMM with host alpha/beta on the backend's stream (cuBLAS, or a fake). */
    interface Gemm {
        void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                   long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch);
    }

    private CudaMatmul() {}

    /** a: [(B,) M, K] ([.., K, M] if transA), b: [(B,) K, N] ([.., N, K] if transB), c: [(B,) M, N]; F32, contiguous. */
    static void matmul(CudaBackend be, Gemm gemm, Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        CudaOps.contiguous("matmul", a, b, c);
        CudaOps.f32("matmul", a, b, c);
        int rank = c.rank();
        if ((rank != 2 && rank != 3) || a.rank() != rank || b.rank() != rank) {
            throw new IllegalArgumentException("matmul: a " + a.shape() + ", b " + b.shape() + ", c " + c.shape() + " must all be 2-D or all 3-D");
        }
        int batch = rank == 3 ? c.dim(0) : 1;
        int m = c.dim(-2), n = c.dim(-1);
        int k = transA ? a.dim(-2) : a.dim(-1);
        int aM = transA ? a.dim(-1) : a.dim(-2);
        int bK = transB ? b.dim(-1) : b.dim(-2), bN = transB ? b.dim(-2) : b.dim(-1);
        boolean batchOk = rank == 2 || (a.dim(0) == batch && b.dim(0) == batch);
        if (aM != m || bK != k || bN != n || !batchOk) {
            throw new IllegalArgumentException("matmul: a " + a.shape() + (transA ? "^T" : "") + " · b " + b.shape()
                    + (transB ? "^T" : "") + " does not give c " + c.shape());
        }
        if (c.numel() == 0) return;
        if (k == 0) { be.fill(c, 0); return; }
        if (gemm == null) throw new LibraryUnavailableException("cuBLAS", "matmul", be.cublasMissing());
        gemm.sgemm(transB ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N, transA ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                n, m, k, 1f, ptr(b), transB ? k : n, (long) k * n, ptr(a), transA ? m : k, (long) m * k,
                0f, ptr(c), n, (long) m * n, batch);
    }

    /** The cuBLAS {@link Gemm} of one handle bound to {@code stream}. */
    static final class CublasGemm implements Gemm, AutoCloseable {
        private final CudaContext ctx;
        private final Cublas cublas;
        private final MemorySegment handle;

        CublasGemm(CudaContext ctx, Cublas cublas, MemorySegment stream) {
            this.ctx = ctx;
            this.cublas = cublas;
            ctx.makeCurrent();
            this.handle = cublas.create();
            cublas.setStream(handle, stream);
        }

        @Override public synchronized void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                                                 long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch) {
            ctx.makeCurrent();
            try (Arena ar = Arena.ofConfined()) {
                MemorySegment al = ar.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), be = ar.allocateFrom(ValueLayout.JAVA_FLOAT, beta);
                if (batch == 1) cublas.sgemm(handle, opA, opB, m, n, k, al, a, lda, b, ldb, be, c, ldc);
                else cublas.sgemmStridedBatched(handle, opA, opB, m, n, k, al, a, lda, strideA, b, ldb, strideB, be, c, ldc, strideC, batch);
            }
        }

        @Override public synchronized void close() {
            ctx.makeCurrent();
            cublas.destroy(handle);
        }
    }
}
