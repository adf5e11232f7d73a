package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.dist.ThreadRanks;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Synchronised batch norm on 2 thread ranks, each holding half of a batch of 4, against the plain
 * batch norm of the whole batch in one process: output, input gradient, running statistics, and the
 * gamma/beta gradients summed over the ranks. F64, so the only differences are summation order.
 */
class SyncBatchNormTest {
    static final int N = 4, C = 3, H = 5, W = 6;

    /** {y, gx, ggamma, gbeta, running mean, running var} of batch samples [from, to) (to − from = N: one process). */
    static double[][] run(int from, int to, adl.dist.Collectives c) {
        try (Scope s = Scope.open(); AutoCloseable sync = SyncBatchNorm.use(c)) {
            int plane = C * H * W;
            double[] all = Tensors.toDoubles(Tensors.randn(Device.CPU, DType.F64, Shape.of(N, C, H, W), 7, 0.5, 2));
            double[] weights = Tensors.toDoubles(Tensors.randn(Device.CPU, DType.F64, Shape.of(N, C, H, W), 8, 0, 1));
            Tensor x = Tensors.of(Device.CPU, DType.F64, Shape.of(to - from, C, H, W), Arrays.copyOfRange(all, from * plane, to * plane));
            Tensor r = Tensors.of(Device.CPU, DType.F64, Shape.of(to - from, C, H, W), Arrays.copyOfRange(weights, from * plane, to * plane));
            x.requiresGrad(true);
            Tensor gamma = Tensors.of(Device.CPU, DType.F64, Shape.of(C), 1.5, 0.7, -1.2);
            Tensor beta = Tensors.of(Device.CPU, DType.F64, Shape.of(C), 0.1, 0.2, 0.3);
            gamma.requiresGrad(true);
            beta.requiresGrad(true);
            Tensor rm = Tensors.of(Device.CPU, DType.F64, Shape.of(C), 0, 0, 0), rv = Tensors.of(Device.CPU, DType.F64, Shape.of(C), 1, 1, 1);
            Tensor y = NormOps.batchNorm(x, gamma, beta, rm, rv, true, 0.1, 1e-5);
            Tensor loss = ReduceOps.sum(ElementwiseOps.mul(y, r), false);
            Autograd.backward(loss);
            return new double[][] {Tensors.toDoubles(y), Tensors.toDoubles(x.grad()), Tensors.toDoubles(gamma.grad()), Tensors.toDoubles(beta.grad()),
                    Tensors.toDoubles(rm), Tensors.toDoubles(rv)};
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test void twoRanksMatchOneProcessOnTheWholeBatch() throws Exception {
        double[][] whole = run(0, N, adl.dist.SingleProcess.INSTANCE);
        List<double[][]> halves = ThreadRanks.run(2, c -> run(c.rank() * N / 2, (c.rank() + 1) * N / 2, c));
        for (int k = 0; k < 2; k++) {
            double[] y = concat(halves.get(0)[k], halves.get(1)[k]);
            assertArrayEquals(whole[k], y, 1e-12, k == 0 ? "y" : "gx");
        }
        for (int k = 2; k < 4; k++) {
            double[] sum = new double[C];
            for (int i = 0; i < C; i++) sum[i] = halves.get(0)[k][i] + halves.get(1)[k][i];
            assertArrayEquals(whole[k], sum, 1e-12, k == 2 ? "ggamma summed over ranks" : "gbeta summed over ranks");
        }
        for (int k = 4; k < 6; k++) {
            assertArrayEquals(whole[k], halves.get(0)[k], 1e-12, "running statistics (rank 0)");
            assertArrayEquals(halves.get(0)[k], halves.get(1)[k], 0.0, "running statistics: the same bits on both ranks");
        }
    }

    static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
