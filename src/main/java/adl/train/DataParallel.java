package adl.train;

import adl.autograd.LossOps;
import adl.data.HostBatch;
import adl.data.SampleTransform;
import adl.dist.Collectives;
import adl.dist.SingleProcess;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * How a training loop shares its work with the other ranks of a data-parallel job
 * (docs/08-data-parallel.md): the global batch of B samples is cut into N equal shards, rank r taking
 * the slots [r·B/N, (r+1)·B/N) of every batch, so the union over the ranks is the single-process
 * batch; every random choice of a slot is made with its global slot number; each rank's loss is
 * weighted by its share of the valid pixels of the global batch, w_r = n_r / Σ_s n_s, so that
 * Σ_r w_r·L_r is the single-process mean loss and the summed gradients are its gradient.
 *
 * @param collectives the job (SingleProcess: everything below is the identity)
 * @param syncBn      whether batch norm uses the statistics of the global batch
 */
public record DataParallel(Collectives collectives, boolean syncBn) {
    /** One process, as before data parallelism existed. */
    public static final DataParallel SINGLE = new DataParallel(SingleProcess.INSTANCE, false);

    public int rank() { return collectives.rank(); }

    public int size() { return collectives.size(); }

    /** Whether this rank owns the run directory (rank 0). */
    public boolean lead() { return collectives.rank() == 0; }

    /** This rank's share of a global batch of {@code batch}; refuses a batch the ranks cannot share evenly. */
    public int localBatch(int batch) {
        if (batch % size() != 0) {
            throw new IllegalArgumentException("--batch " + batch + " is the global batch and must divide evenly over the " + size() + " processes");
        }
        return batch / size();
    }

    /** This rank's slots of the global batch {@code global}. */
    public int[] shard(int[] global) {
        int local = localBatch(global.length);
        return Arrays.copyOfRange(global, rank() * local, (rank() + 1) * local);
    }

    /** The global batch function restricted to this rank's shard. */
    public LongFunction<int[]> shard(LongFunction<int[]> global) {
        return size() == 1 ? global : t -> shard(global.apply(t));
    }

    /** {@code t} applied with the global slot number (this rank's slot k is slot rank·local + k of the global batch). */
    public SampleTransform globalSlots(SampleTransform t, int globalBatch) {
        if (size() == 1) return t;
        int offset = rank() * localBatch(globalBatch);
        return (s, index, iteration, slot) -> t.apply(s, index, iteration, offset + slot);
    }

    /** Pixels of the batch that take part in the loss (label ≠ {@link LossOps#IGNORE_LABEL}). */
    static long validPixels(HostBatch b) {
        long n = 0;
        for (int l : b.labels()) if (l != LossOps.IGNORE_LABEL) n++;
        return n;
    }

    /**
     * The loss weights w_r = n_r / Σ_s n_s of this rank for each batch (one all-reduce for all of
     * them); 1 each for a single process; 0 where no rank has a valid pixel (the loss is then 0).
     */
    public double[] lossWeights(HostBatch... batches) {
        double[] w = new double[batches.length];
        if (size() == 1) {
            Arrays.fill(w, 1);
            return w;
        }
        double[] counts = new double[batches.length];
        for (int i = 0; i < batches.length; i++) counts[i] = batches[i] == null ? 0 : validPixels(batches[i]);
        double[] total = collectives.allReduceSum(counts);
        for (int i = 0; i < w.length; i++) w[i] = total[i] > 0 ? counts[i] / total[i] : 0;
        return w;
    }

    /** Σ_r values_r (a single process: the values). */
    public double[] sum(double... values) { return collectives.allReduceSum(values); }

    /**
     * Checks that every rank starts from the same iteration (the same checkpoint, or none):
     * Σ_r i_r = N·i and Σ_r i_r² = N·i² hold only when every i_r is i.
     *
     * @throws RunFailed naming this rank and the run directory when they disagree
     */
    void agreeOnStart(long iteration, java.nio.file.Path dir) {
        if (size() == 1) return;
        double i = iteration;
        double[] sums = sum(i, i * i);
        if (sums[0] != size() * i || sums[1] != size() * i * i) {
            throw new RunFailed("rank " + rank() + " would start at iteration " + iteration
                    + " but the ranks disagree (mean " + sums[0] / size() + "): do all ranks see the same run directory " + dir + "?");
        }
    }

    /** Whether any rank asks to stop (the ranks stop at the same iteration boundary). */
    public boolean anyStop(boolean mine) { return collectives.anyTrue(mine); }
}
