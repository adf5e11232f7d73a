package adl.backend.cpu;

import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.UnaryOp;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Elementwise kernels give the same bits with 1 and 2 threads, and F32 agrees with F64. */
class ElementwiseDeterminismTest {
    static double[] run(int threads, DType dtype) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try (Scope s = Scope.open()) {
            Tensor a = Tensors.uniform(Device.CPU, dtype, Shape.of(2, 40, 33, 35), 1, -1, 1);
            Tensor b = Tensors.uniform(Device.CPU, dtype, Shape.of(40, 1, 35), 2, 0.5, 1.5);
            Tensor z = Tensors.empty(Device.CPU, dtype, a.shape());
            CpuBackend.INSTANCE.binary(BinaryOp.DIV, a, b, z);
            CpuBackend.INSTANCE.unary(UnaryOp.EXP, z, 0, z);
            Tensor r = Tensors.empty(Device.CPU, dtype, Shape.of(1, 40, 1, 35));
            CpuBackend.INSTANCE.sumTo(z, r);
            return CpuBackend.INSTANCE.read(r);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test void bitwiseIdenticalForOneAndTwoThreads() {
        double[] one = run(1, DType.F32), two = run(2, DType.F32);
        assertEquals(one.length, two.length);
        for (int i = 0; i < one.length; i++) {
            assertEquals(Double.doubleToRawLongBits(one[i]), Double.doubleToRawLongBits(two[i]), "element " + i);
        }
    }

    @Test void float32AgreesWithFloat64() {
        double[] f = run(2, DType.F32), d = run(2, DType.F64);
        for (int i = 0; i < f.length; i++) assertEquals(d[i], f[i], 1e-4 * Math.abs(d[i]), "element " + i);
    }

    @Test void stridedCopyOfAChannelSliceMatchesIndexArithmetic() {
        try (Scope s = Scope.open()) {
            double[] v = new double[2 * 5 * 3 * 4];
            for (int i = 0; i < v.length; i++) v[i] = i;
            Tensor x = Tensors.of(Device.CPU, DType.F32, Shape.of(2, 5, 3, 4), v);
            Tensor view = Tensors.view(x, Shape.of(2, 2, 3, 4), x.strides(), 1 * 12); // channels 1..2
            double[] got = Tensors.toDoubles(Tensors.contiguousCopy(view));
            double[] want = new double[2 * 2 * 12];
            for (int n = 0, k = 0; n < 2; n++) for (int c = 1; c < 3; c++) for (int j = 0; j < 12; j++) want[k++] = n * 60 + c * 12 + j;
            assertArrayEquals(want, got, 0);
        }
    }
}
