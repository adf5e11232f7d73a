package adl.dist;

import adl.tensor.Tensor;

import java.util.List;

/** The job of one process: every collective is the identity, nothing is loaded. */
public final class SingleProcess implements Collectives {
    public static final SingleProcess INSTANCE = new SingleProcess();

    private SingleProcess() {}

    @Override public int rank() { return 0; }
    @Override public int size() { return 1; }
    @Override public void allReduceSum(List<Tensor> tensors) {}
    @Override public double[] allReduceSum(double[] values) { return values.clone(); }
    @Override public void broadcast(List<Tensor> tensors, int root) {
        if (root != 0) throw new IllegalArgumentException("broadcast from rank " + root + " in a job of 1 process");
    }
    @Override public String broadcast(String text, int root) {
        if (root != 0) throw new IllegalArgumentException("broadcast from rank " + root + " in a job of 1 process");
        return text;
    }
    @Override public boolean anyTrue(boolean flag) { return flag; }
    @Override public void barrier() {}
    @Override public void abort(int code) {}
    @Override public String describe() { return "single process"; }
    @Override public void close() {}
}
