package adl.dist;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packing, bucketing and rank-order sum of {@link HostCollectives}, with a fake transport that
 * plays N ranks whose contributions are known: rank r's buffer is the local one times (r + 1), so the
 * sum is Σ_r (r + 1)·x in rank order, which this test computes itself.
 */
class HostCollectivesTest {
    /** Rank 0 of {@code n} fake ranks. */
    static final class Fake extends HostCollectives {
        final int n;
        int gathers;

        Fake(int n) { this.n = n; }

        @Override protected float[] allGather(float[] local) {
            gathers++;
            float[] all = new float[local.length * n];
            for (int r = 0; r < n; r++) for (int i = 0; i < local.length; i++) all[r * local.length + i] = local[i] * (r + 1);
            return all;
        }

        @Override protected double[] allGather(double[] local) {
            gathers++;
            double[] all = new double[local.length * n];
            for (int r = 0; r < n; r++) for (int i = 0; i < local.length; i++) all[r * local.length + i] = local[i] * (r + 1);
            return all;
        }

        @Override protected void broadcast(double[] values, int root) {}
        @Override public String broadcast(String text, int root) { return text; }
        @Override public int rank() { return 0; }
        @Override public int size() { return n; }
        @Override public void barrier() {}
        @Override public void abort(int code) {}
        @Override public String describe() { return "fake"; }
        @Override public void close() {}
    }

    @Test void sumsEachTensorInRankOrderAcrossBuckets() {
        Fake c = new Fake(3);
        List<Tensor> ts = new ArrayList<>();
        int[] sizes = {5, HostCollectives.BUCKET - 6, 9, 2};
        for (int s : sizes) {
            double[] v = new double[s];
            for (int i = 0; i < s; i++) v[i] = Math.cos(i * 0.01 + s) / 7;
            ts.add(Tensors.of(Device.CPU, DType.F32, Shape.of(s), v));
        }
        ts.add(Tensors.of(Device.CPU, DType.F64, Shape.of(3), 0.1, 0.2, 0.3));
        List<double[]> before = ts.stream().map(Tensors::toDoubles).toList();
        c.allReduceSum(ts);
        assertEquals(3, c.gathers, "F32: [5, BUCKET-6] then [9, 2] (bucket full); F64: one");
        for (int t = 0; t < ts.size(); t++) {
            double[] got = Tensors.toDoubles(ts.get(t)), was = before.get(t);
            boolean f32 = ts.get(t).dtype() == DType.F32;
            for (int i = 0; i < got.length; i += Math.max(1, got.length / 50)) {
                double s = 0;
                for (int r = 0; r < 3; r++) s += f32 ? (double) ((float) was[i] * (r + 1)) : was[i] * (r + 1);
                assertEquals(f32 ? (float) s : s, got[i], 0.0, "tensor " + t + " element " + i);
            }
        }
    }

    @Test void anyTrueAndDoubleSums() {
        Fake c = new Fake(2);
        assertEquals(List.of(3.0, 1.5), java.util.Arrays.stream(c.allReduceSum(new double[] {1, 0.5})).boxed().toList());
        assertEquals(true, c.anyTrue(true));
        assertEquals(false, c.anyTrue(false));
    }
}
