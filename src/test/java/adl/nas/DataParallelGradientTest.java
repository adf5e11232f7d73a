package adl.nas;

import adl.autograd.SyncBatchNorm;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.Batch;
import adl.data.SyntheticDataset;
import adl.dist.Collectives;
import adl.dist.SingleProcess;
import adl.dist.ThreadRanks;
import adl.memory.Scope;
import adl.nn.Init;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The averaged gradient of docs/08-data-parallel.md in float64, where summation order costs ~1e-15:
 * one weight step and one architecture step of a tiny supernet on 2 thread ranks (1 sample each,
 * synchronised batch norm, losses weighted by valid pixels) leave the same weights, α and β as one
 * process on the batch of 2 — to 1e-9 relative, so any missing term of the gradient would show.
 */
class DataParallelGradientTest {
    static final int CROP = 24;

    /** The parameters after one weight step and one architecture step on samples [from, to) of the batch of 2. */
    static List<double[]> steps(Collectives c, int from, int to) {
        SyntheticDataset data = new SyntheticDataset("train", 4, CROP, CROP, 3);
        try (Scope s = Scope.open(); AutoCloseable sync = SyncBatchNorm.use(c);
             SuperNet net = new SuperNet(new Init(Device.CPU, DType.F64, 5), new SuperNet.Config(2, 2, 2, data.numClasses()));
             BilevelStep<SGD> ws = BilevelStep.weights(net, 0.1, 0.9, 3e-4); BilevelStep<Adam> ar = BilevelStep.architecture(net, 0.01, 0.9, 0.999, 1e-3)) {
            int[] a = java.util.Arrays.copyOfRange(new int[] {0, 1}, from, to), b = java.util.Arrays.copyOfRange(new int[] {2, 3}, from, to);
            Batch ba = f64(Batch.of(data, a, Device.CPU, 0, 0, false)), bb = f64(Batch.of(data, b, Device.CPU, 0, 0, false));
            double[] w = weights(c, ba, bb);
            double la = ws.at(0.1).step(ba.images(), ba.labels(), w[0], c);
            double lb = ar.step(bb.images(), bb.labels(), w[1], c);
            List<double[]> out = new ArrayList<>();
            out.add(c.allReduceSum(new double[] {la, lb}));
            for (Tensor p : net.namedParameters().values()) out.add(Tensors.toDoubles(p));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Batch f64(Batch b) { return new Batch(Tensors.cast(b.images(), DType.F64), b.labels()); }

    /** w_r = n_r / Σ n (every label of the synthetic set is valid: n_r = pixels). */
    static double[] weights(Collectives c, Batch a, Batch b) {
        double[] n = {a.labels().numel(), b.labels().numel()};
        double[] total = c.allReduceSum(n);
        return new double[] {n[0] / total[0], n[1] / total[1]};
    }

    @Test void twoRanksTakeTheStepsOfOneProcess() throws Exception {
        List<double[]> one = steps(SingleProcess.INSTANCE, 0, 2);
        List<List<double[]>> two = ThreadRanks.run(2, c -> steps(c, c.rank(), c.rank() + 1));
        assertEquals(one.size(), two.get(0).size());
        double worst = 0;
        for (int k = 0; k < one.size(); k++) {
            double[] x = one.get(k), y = two.get(0).get(k), z = two.get(1).get(k);
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1e-3, Math.abs(x[i])));
                assertEquals(Double.doubleToLongBits(y[i]), Double.doubleToLongBits(z[i]), "the same bits on both ranks");
            }
        }
        assertTrue(worst < 1e-9, "largest relative difference " + worst);
    }
}
