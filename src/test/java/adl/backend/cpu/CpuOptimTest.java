package adl.backend.cpu;

import adl.backend.Backend;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.testing.Close;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fused optimizer kernels: F32 against the F64 reference, thread-count independence, one hand-worked value. */
class CpuOptimTest {
    private static final Backend B = Device.CPU.backend();
    /** Odd size spanning several fixed chunks of 2^14 elements. */
    private static final Shape SHAPE = Shape.of(7, 5, 1171);

    /** Three steps of SGD or Adam on seeded data; returns {param, state...} after the last step. */
    private static double[][] run(DType dt, boolean adam, boolean nesterov) {
        try (Scope s = Scope.open()) {
            Tensor p = Tensors.uniform(Device.CPU, dt, SHAPE, 1, -1, 1);
            Tensor a = Tensors.zeros(Device.CPU, dt, SHAPE.dims());
            Tensor b = Tensors.zeros(Device.CPU, dt, SHAPE.dims());
            for (int k = 1; k <= 3; k++) {
                Tensor g = Tensors.uniform(Device.CPU, dt, SHAPE, 10 + k, -1, 1);
                if (adam) B.adamStep(p, g, a, b, k, 0.01 * k, 0.9, 0.999, 1e-8, 1e-3);
                else B.sgdStep(p, g, a, 0.1 / k, 0.9, 3e-4, nesterov, k == 1);
            }
            return new double[][] {Tensors.toDoubles(p), Tensors.toDoubles(a), Tensors.toDoubles(b)};
        }
    }

    @Test void f32MatchesF64Reference() {
        for (boolean adam : new boolean[] {false, true}) {
            for (boolean nesterov : adam ? new boolean[] {false} : new boolean[] {false, true}) {
                double[][] f = run(DType.F32, adam, nesterov), d = run(DType.F64, adam, nesterov);
                String what = adam ? "adam" : nesterov ? "sgd nesterov" : "sgd";
                Close.assertClose(what + " param", f[0], d[0], 1e-6, 1e-5);
                Close.assertClose(what + " state", f[1], d[1], 1e-6, 1e-5);
                if (adam) Close.assertClose(what + " exp_avg_sq", f[2], d[2], 1e-8, 1e-5);
            }
        }
    }

    @Test void bitwiseSameForAnyThreadCount() {
        int before = Parallel.threads();
        try {
            for (boolean adam : new boolean[] {false, true}) {
                Parallel.setThreads(1);
                double[][] one = run(DType.F32, adam, true);
                Parallel.setThreads(3);
                double[][] three = run(DType.F32, adam, true);
                for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], three[i], "adam=" + adam + " tensor " + i);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** p = 1, grad = 0.5, wd = 0.1, lr = 0.1, momentum 0.9: by hand, d = 0.6; step 2 buf = 0.9·0.6 + d'. */
    @Test void sgdByHand() {
        try (Scope s = Scope.open()) {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                Tensor p = Tensors.of(Device.CPU, dt, Shape.of(1), 1.0);
                Tensor g = Tensors.of(Device.CPU, dt, Shape.of(1), 0.5);
                Tensor buf = Tensors.zeros(Device.CPU, dt, 1);
                B.sgdStep(p, g, buf, 0.1, 0.9, 0.1, false, true);          // d = 0.6, buf = 0.6, p = 0.94
                Close.assertClose("p1 " + dt, p, new double[] {0.94}, 1e-7, 0);
                B.sgdStep(p, g, buf, 0.1, 0.9, 0.1, true, false);          // d = 0.594, buf = 1.134, p -= 0.1·(0.594 + 1.0206)
                Close.assertClose("buf2 " + dt, buf, new double[] {1.134}, 1e-7, 0);
                Close.assertClose("p2 " + dt, p, new double[] {0.94 - 0.1 * (0.594 + 0.9 * 1.134)}, 1e-7, 0);
                Tensor q = Tensors.of(Device.CPU, dt, Shape.of(1), 1.0);
                B.sgdStep(q, g, null, 0.1, 0, 0, false, true);              // plain SGD without a buffer
                Close.assertClose("plain " + dt, q, new double[] {0.95}, 1e-7, 0);
            }
        }
    }

    /** At step 1 with no weight decay, Adam moves each element by lr · sign(g) (up to eps). */
    @Test void adamFirstStepIsLrTimesSign() {
        try (Scope s = Scope.open()) {
            Tensor p = Tensors.of(Device.CPU, DType.F64, Shape.of(3), 0.0, 0.0, 0.0);
            Tensor g = Tensors.of(Device.CPU, DType.F64, Shape.of(3), 2.0, -0.003, 50.0);
            Tensor m = Tensors.zeros(Device.CPU, DType.F64, 3), v = Tensors.zeros(Device.CPU, DType.F64, 3);
            B.adamStep(p, g, m, v, 1, 0.01, 0.9, 0.999, 1e-12, 0);
            Close.assertClose("p", p, new double[] {-0.01, 0.01, -0.01}, 1e-9, 0);
            Close.assertClose("m", m, new double[] {0.2, -0.0003, 5.0}, 1e-12, 1e-12);
        }
    }

    @Test void rejectsMismatchedState() {
        try (Scope s = Scope.open()) {
            Tensor p = Tensors.zeros(Device.CPU, DType.F32, 4), g = Tensors.zeros(Device.CPU, DType.F32, 4);
            Tensor wrong = Tensors.zeros(Device.CPU, DType.F32, 5);
            assertThrows(IllegalArgumentException.class, () -> B.sgdStep(p, g, wrong, 0.1, 0.9, 0, false, true));
            assertThrows(IllegalArgumentException.class, () -> B.sgdStep(p, g, null, 0.1, 0.9, 0, false, true));
            assertThrows(IllegalArgumentException.class, () -> B.adamStep(p, g, p, wrong, 1, 0.1, 0.9, 0.999, 1e-8, 0));
            assertThrows(IllegalArgumentException.class, () -> B.adamStep(p, g, g, g, 0, 0.1, 0.9, 0.999, 1e-8, 0));
        }
    }
}
