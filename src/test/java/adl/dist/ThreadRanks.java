package adl.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * N "ranks" as threads of this JVM, exchanging through shared arrays and a barrier: the real
 * {@link HostCollectives} packing and rank-order sums over an in-process transport, so the
 * data-parallel maths can be tested without mpirun.
 */
public final class ThreadRanks {
    private final int n;
    private final CyclicBarrier barrier;
    private final Object[] slots;

    private ThreadRanks(int n) {
        this.n = n;
        this.barrier = new CyclicBarrier(n);
        this.slots = new Object[n];
    }

    /** Runs {@code body} on {@code n} threads, one collective each; returns their results in rank order. */
    public static <T> List<T> run(int n, Function<Collectives, T> body) throws Exception {
        ThreadRanks shared = new ThreadRanks(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                Rank c = shared.new Rank(r);
                fs.add(pool.submit(() -> body.apply(c)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get(300, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private void await() {
        try {
            barrier.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("thread ranks: a rank did not arrive", e);
        }
    }

    /** Every rank's object, in rank order. */
    private Object[] exchange(int rank, Object mine) {
        slots[rank] = mine;
        await();
        Object[] all = slots.clone();
        await();
        return all;
    }

    private final class Rank extends HostCollectives {
        final int rank;

        Rank(int rank) { this.rank = rank; }

        @Override protected float[] allGather(float[] local) {
            Object[] all = exchange(rank, local.clone());
            float[] out = new float[local.length * n];
            for (int r = 0; r < n; r++) System.arraycopy((float[]) all[r], 0, out, r * local.length, local.length);
            return out;
        }

        @Override protected double[] allGather(double[] local) {
            Object[] all = exchange(rank, local.clone());
            double[] out = new double[local.length * n];
            for (int r = 0; r < n; r++) System.arraycopy((double[]) all[r], 0, out, r * local.length, local.length);
            return out;
        }

        @Override protected void broadcast(double[] values, int root) {
            Object[] all = exchange(rank, values.clone());
            System.arraycopy((double[]) all[root], 0, values, 0, values.length);
        }

        @Override public int rank() { return rank; }
        @Override public int size() { return n; }
        @Override public void barrier() { exchange(rank, null); }
        @Override public void abort(int code) { throw new IllegalStateException("rank " + rank + " aborted with " + code); }
        @Override public String describe() { return "thread rank " + rank + " of " + n; }
        @Override public void close() {}
    }
}
