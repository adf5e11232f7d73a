package adl.backend.cpu;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Matmul and softmax give the same bits with 1 and 2 threads (shapes big enough to be split). */
class MatmulSoftmaxDeterminismTest {
    static double[] run(int threads) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try (Scope s = Scope.open()) {
            Tensor a = Tensors.uniform(Device.CPU, DType.F32, Shape.of(3, 97, 131), 1, -1, 1);
            Tensor b = Tensors.uniform(Device.CPU, DType.F32, Shape.of(3, 131, 89), 2, -1, 1);
            Tensor c = Tensors.empty(Device.CPU, DType.F32, Shape.of(3, 97, 89));
            CpuBackend.INSTANCE.matmul(a, false, b, false, c);
            Tensor x = Tensors.uniform(Device.CPU, DType.F32, Shape.of(2, 19, 81, 81), 3, -4, 4);
            Tensor y = Tensors.empty(Device.CPU, DType.F32, x.shape());
            CpuBackend.INSTANCE.softmax(x, 1, true, y);
            Tensor gx = Tensors.empty(Device.CPU, DType.F32, x.shape());
            CpuBackend.INSTANCE.softmaxBackward(y, x, 1, true, gx);
            double[] m = Tensors.toDoubles(c), sm = Tensors.toDoubles(y), g = Tensors.toDoubles(gx);
            double[] all = new double[m.length + sm.length + g.length];
            System.arraycopy(m, 0, all, 0, m.length);
            System.arraycopy(sm, 0, all, m.length, sm.length);
            System.arraycopy(g, 0, all, m.length + sm.length, g.length);
            return all;
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test void bitwiseIdenticalForOneAndTwoThreads() {
        double[] one = run(1), two = run(2);
        assertEquals(one.length, two.length);
        for (int i = 0; i < one.length; i++) {
            assertEquals(Double.doubleToRawLongBits(one[i]), Double.doubleToRawLongBits(two[i]), "element " + i);
        }
    }
}
