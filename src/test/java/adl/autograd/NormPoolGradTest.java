package adl.autograd;

import adl.backend.Device;
import adl.backend.PoolParams;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** F64 gradient checks of batch norm, pooling and bilinear resize (every backward rule). */
class NormPoolGradTest {
    static Tensor rand(long seed, double lo, double hi, int... dims) {
        return Scope.untracked(() -> Tensors.uniform(Device.CPU, DType.F64, Shape.of(dims), seed, lo, hi));
    }

    /** A tensor whose values are a shuffled grid 0.01 apart: every window max is unique under ±1e-6. */
    static Tensor distinct(long seed, int... dims) {
        Shape s = Shape.of(dims);
        int n = s.size();
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) perm.add(i);
        Collections.shuffle(perm, new Random(seed));
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (perm.get(i) - n / 2.0) * 0.01;
        return Scope.untracked(() -> Tensors.of(Device.CPU, DType.F64, s, v));
    }

    static void check(String name, Function<Tensor[], Tensor> f, Tensor... xs) {
        GradCheck.Report r = GradCheck.check(name, f, xs);
        assertTrue(r.ok(), r.toString());
    }

    @Test void batchNormTrainAffine() {
        Tensor x = rand(1, -2, 3, 2, 3, 3, 5), gamma = rand(2, 0.5, 1.5, 3), beta = rand(3, -1, 1, 3);
        Tensor rm = Scope.untracked(() -> Tensors.zeros(Device.CPU, DType.F64, 3));
        Tensor rv = Scope.untracked(() -> Tensors.full(Device.CPU, DType.F64, Shape.of(3), 1));
        check("batch_norm train affine", t -> NormOps.batchNorm(t[0], t[1], t[2], rm, rv, true, 0.1, 1e-5), x, gamma, beta);
    }

    @Test void batchNormTrainNoAffine() {
        Tensor x = rand(4, -1, 2, 3, 2, 3, 4);
        check("batch_norm train no affine", t -> NormOps.batchNorm(t[0], null, null, null, null, true, 0.1, 1e-5), x);
    }

    @Test void batchNormEval() {
        Tensor x = rand(5, -2, 2, 2, 3, 3, 4), gamma = rand(6, 0.5, 1.5, 3), beta = rand(7, -1, 1, 3);
        Tensor rm = rand(8, -0.5, 0.5, 3), rv = rand(9, 0.5, 2, 3);
        check("batch_norm eval affine", t -> NormOps.batchNorm(t[0], t[1], t[2], rm, rv, false, 0.1, 1e-5), x, gamma, beta);
        check("batch_norm eval no affine", t -> NormOps.batchNorm(t[0], null, null, rm, rv, false, 0.1, 1e-5), x);
        // eval without running statistics normalises with the batch (track_running_stats=False)
        check("batch_norm eval batch stats", t -> NormOps.batchNorm(t[0], t[1], null, null, null, false, 0.1, 1e-5), x, gamma);
    }

    @Test void maxPool() {
        Tensor x = distinct(10, 2, 2, 5, 7);
        check("max_pool s1", t -> PoolOps.maxPool2d(t[0], new PoolParams(3, 1, 1, false)), x);
        check("max_pool s2", t -> PoolOps.maxPool2d(t[0], new PoolParams(3, 2, 1, false)), x);
        Tensor y = distinct(11, 1, 3, 6, 4);
        check("max_pool s2 even", t -> PoolOps.maxPool2d(t[0], new PoolParams(3, 2, 1, false)), y);
    }

    @Test void avgPool() {
        Tensor x = rand(12, -1, 1, 2, 2, 5, 7);
        for (int stride : new int[] {1, 2}) {
            for (boolean incl : new boolean[] {false, true}) {
                PoolParams p = new PoolParams(3, stride, 1, incl);
                check("avg_pool " + p, t -> PoolOps.avgPool2d(t[0], p), x);
            }
        }
    }

    @Test void globalAvgPool() {
        Tensor x = rand(13, -1, 1, 2, 3, 5, 3);
        check("global_avg_pool", t -> PoolOps.globalAvgPool(t[0]), x);
    }

    @Test void bilinearResize() {
        int[][] cases = { // {H, W, outH, outW}
            {5, 7, 9, 4}, {11, 3, 6, 5}, {41, 2, 81, 3}, {7, 9, 3, 4}, {5, 7, 5, 7}, {4, 3, 1, 1}, {3, 1, 8, 2}};
        long seed = 20;
        for (int[] c : cases) {
            Tensor x = rand(seed++, -1, 1, 1, 2, c[0], c[1]);
            for (boolean ac : new boolean[] {false, true}) {
                check("bilinear " + c[0] + "x" + c[1] + " -> " + c[2] + "x" + c[3] + " align_corners=" + ac,
                        t -> ResizeOps.bilinear(t[0], c[2], c[3], ac), x);
            }
        }
    }

    @Test void bilinearSameSizeIsIdentity() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.uniform(Device.CPU, DType.F32, Shape.of(2, 3, 5, 7), 30, -1, 1);
            for (boolean ac : new boolean[] {false, true}) {
                assertArrayEquals(Tensors.toDoubles(x), Tensors.toDoubles(ResizeOps.bilinear(x, 5, 7, ac)), "align_corners=" + ac);
            }
        }
    }

    /** Ties go to the first maximum in row-major order; the expected gradients were printed by PyTorch 1.13. */
    @Test void maxPoolTiesRouteToFirstMaximum() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.zeros(Device.CPU, DType.F64, 1, 1, 3, 3).requiresGrad(true);
            Autograd.backward(ReduceOps.sumAll(PoolOps.maxPool2d(x, new PoolParams(3, 1, 1, false))));
            assertArrayEquals(new double[] {4, 2, 0, 2, 1, 0, 0, 0, 0}, Tensors.toDoubles(x.grad()));
            Tensor z = Tensors.zeros(Device.CPU, DType.F32, 1, 1, 5, 5).requiresGrad(true);
            Autograd.backward(ReduceOps.sumAll(PoolOps.maxPool2d(z, new PoolParams(3, 2, 1, false))));
            assertArrayEquals(new double[] {1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0},
                    Tensors.toDoubles(z.grad()));
            x.grad().close();
            z.grad().close();
        }
    }

    /** A NaN in a window wins (the last NaN in scan order, as PyTorch); values printed by PyTorch 1.13. */
    @Test void maxPoolPropagatesNaN() {
        double nan = Double.NaN;
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensors.of(Device.CPU, dtype, Shape.of(1, 1, 3, 3), 1, nan, 3, 4, 5, nan, 7, 8, 9).requiresGrad(true);
                Tensor y = PoolOps.maxPool2d(x, new PoolParams(3, 1, 1, false));
                assertArrayEquals(new double[] {nan, nan, nan, nan, nan, nan, 8, nan, nan}, Tensors.toDoubles(y), dtype.toString());
                Autograd.backward(ReduceOps.sumAll(y));
                assertArrayEquals(new double[] {0, 2, 0, 0, 0, 6, 0, 1, 0}, Tensors.toDoubles(x.grad()), dtype.toString());
                x.grad().close();
            }
        }
    }
}
