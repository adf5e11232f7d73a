package adl.dist;

import adl.tensor.Tensor;

import java.util.List;

/**
 * The few collective operations data-parallel training needs (docs/08-data-parallel.md), over every process of the
 * job. Every call is made by every rank, in the same order, with tensors of the same shapes and
 * dtypes. Results are the same bits on every rank: sums are taken in rank order 0, 1, …, N−1 (never
 * in a library's unspecified reduction order) in double, and rounded once to the tensor's dtype.
 */
public interface Collectives extends AutoCloseable {
    /** This process's rank, 0 ≤ rank &lt; size. */
    int rank();

    /** Processes in the job. */
    int size();

    /**
     * In place, for every tensor t of the list (contiguous; F32 or F64): t ← Σ_r t_r, the sum over
     * ranks in rank order. The list is packed into a few large buckets per dtype.
     */
    void allReduceSum(List<Tensor> tensors);

    /** values ← Σ_r values_r (rank order, double), on every rank. */
    double[] allReduceSum(double[] values);

    /** In place: every tensor of the list takes rank {@code root}'s values. */
    void broadcast(List<Tensor> tensors, int root);

    /** Rank {@code root}'s {@code text} (the other ranks' argument is ignored): how rank 0 shares the run directory it chose. */
    String broadcast(String text, int root);

    /** Whether any rank passed true: how the ranks agree to stop at the same iteration. */
    boolean anyTrue(boolean flag);

    /** Returns when every rank has called it. */
    void barrier();

    /**
     * Ends the whole job after a failure on this rank, exit status {@code code}; does not return for
     * more than one process. The caller prints the reason (naming the rank) first.
     */
    void abort(int code);

    /** One line: the implementation and where its library came from. */
    String describe();

    /** Ends this process's part of the job (MPI_Finalize); idempotent. */
    @Override void close();
}
