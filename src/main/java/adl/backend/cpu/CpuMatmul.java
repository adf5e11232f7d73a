package adl.backend.cpu;

import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * Matrix products c = op(a) · op(b) (op = transpose when asked), 2-D and batched 3-D, F32 and F64.
 * F32: tasks = batch x row blocks x column blocks (shape only), each packing its panel of op(b)
 * and running {@link CpuGemm}. F64: the plain triple loop.
 */
final class CpuMatmul {
    /** Rows of c per F32 task. */
    private static final int ROW_BLOCK = 64;

    private CpuMatmul() {}

    /** a: [(B,) M, K] ([.., K, M] if transA), b: [(B,) K, N] ([.., N, K] if transB), c: [(B,) M, N]. */
    static void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        for (Tensor t : new Tensor[] {a, b, c}) CpuCopy.requireContiguous(t, "matmul");
        int rank = c.rank();
        if ((rank != 2 && rank != 3) || a.rank() != rank || b.rank() != rank) {
            throw new IllegalArgumentException("matmul: a " + a.shape() + ", b " + b.shape() + ", c " + c.shape() + " must all be 2-D or all 3-D");
        }
        if (a.dtype() != b.dtype() || a.dtype() != c.dtype() || (a.dtype() != DType.F32 && a.dtype() != DType.F64)) {
            throw new IllegalArgumentException("matmul: dtypes a " + a.dtype() + ", b " + b.dtype() + ", c " + c.dtype() + " must be one of F32/F64");
        }
        int batch = rank == 3 ? c.dim(0) : 1;
        int M = c.dim(-2), N = c.dim(-1);
        int K = transA ? a.dim(-2) : a.dim(-1);
        int aM = transA ? a.dim(-1) : a.dim(-2);
        int bK = transB ? b.dim(-1) : b.dim(-2), bN = transB ? b.dim(-2) : b.dim(-1);
        boolean batchOk = rank == 2 || (a.dim(0) == batch && b.dim(0) == batch);
        if (aM != M || bK != K || bN != N || !batchOk) {
            throw new IllegalArgumentException("matmul: a " + a.shape() + (transA ? "^T" : "") + " · b " + b.shape()
                    + (transB ? "^T" : "") + " does not give c " + c.shape());
        }
        int ao = (int) a.offset(), bo = (int) b.offset(), co = (int) c.offset();
        if (c.dtype() == DType.F64) {
            reference(CpuStorage.f64(a), ao, transA, CpuStorage.f64(b), bo, transB, CpuStorage.f64(c), co, batch, M, N, K);
            return;
        }
        float[] af = CpuStorage.f32(a), bf = CpuStorage.f32(b), cf = CpuStorage.f32(c);
        if (K == 0) {
            java.util.Arrays.fill(cf, co, co + batch * M * N, 0f);
            return;
        }
        int nb = CpuConv.blockCols(K, N), colBlocks = CpuConv.ceilDiv(N, nb);
        int rowBlocks = CpuConv.ceilDiv(M, ROW_BLOCK);
        int sai = transA ? 1 : K, sak = transA ? M : 1, ldb = transB ? K : N;
        CpuConv.forEach(batch * rowBlocks * colBlocks, 2L * Math.min(M, ROW_BLOCK) * nb * K, t -> {
            int cb = t % colBlocks, rb = (t / colBlocks) % rowBlocks, bi = t / colBlocks / rowBlocks;
            int j0 = cb * nb, cols = Math.min(nb, N - j0), i0 = rb * ROW_BLOCK, rows = Math.min(ROW_BLOCK, M - i0);
            CpuGemm.Scratch s = CpuGemm.scratch();
            float[][] panel = CpuGemm.pack(bf, bo + bi * K * N, ldb, transB, 0, K, j0, cols, s);
            CpuGemm.gemm(rows, cols, K, af, ao + bi * M * K + i0 * sai, sai, sak, panel,
                    cf, co + bi * M * N + i0 * N + j0, N, false, s);
        });
    }

    /** c[b] = op(a[b]) · op(b[b]) by the i-k-j triple loop in double. */
    private static void reference(double[] a, int ao, boolean transA, double[] b, int bo, boolean transB, double[] c, int co,
                                  int batch, int M, int N, int K) {
        for (int bi = 0; bi < batch; bi++) {
            int ab = ao + bi * M * K, bb = bo + bi * K * N, cb = co + bi * M * N;
            java.util.Arrays.fill(c, cb, cb + M * N, 0.0);
            for (int i = 0; i < M; i++) {
                for (int k = 0; k < K; k++) {
                    double av = transA ? a[ab + k * M + i] : a[ab + i * K + k];
                    for (int j = 0; j < N; j++) {
                        c[cb + i * N + j] += av * (transB ? b[bb + j * K + k] : b[bb + k * N + j]);
                    }
                }
            }
        }
    }
}
