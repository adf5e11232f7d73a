package adl.autograd;

import adl.backend.Device;
import adl.backend.PoolParams;
import adl.backend.Tensors;
import adl.backend.cpu.Parallel;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static adl.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * F32 against F64 on random inputs with odd sizes, and bitwise equality of 1 and 2 worker
 * threads, for the forward and backward of batch norm, pooling and resize.
 */
class NormPoolParityTest {
    /** One op under test: f(inputs) with inputs[0] = x and optional extra [C] parameters. */
    private record Case(String name, Function<Tensor[], Tensor> f, int[] xDims, int extraParams) {}

    private static List<Case> cases(int n, int c, int h, int w) {
        Tensor rm = Scope.untracked(() -> Tensors.zeros(Device.CPU, DType.F64, c));
        Tensor rv = Scope.untracked(() -> Tensors.full(Device.CPU, DType.F64, Shape.of(c), 1));
        int[] x = {n, c, h, w};
        List<Case> cs = new ArrayList<>();
        cs.add(new Case("batch_norm train", t -> NormOps.batchNorm(t[0], t[1], t[2], null, null, true, 0.1, 1e-5), x, 2));
        cs.add(new Case("batch_norm eval", t -> NormOps.batchNorm(t[0], t[1], t[2], cast(rm, t[0]), cast(rv, t[0]), false, 0.1, 1e-5), x, 2));
        cs.add(new Case("batch_norm train no affine", t -> NormOps.batchNorm(t[0], null, null, null, null, true, 0.1, 1e-5), x, 0));
        for (int stride : new int[] {1, 2}) {
            PoolParams excl = new PoolParams(3, stride, 1, false), incl = new PoolParams(3, stride, 1, true);
            cs.add(new Case("max_pool s" + stride, t -> PoolOps.maxPool2d(t[0], excl), x, 0));
            cs.add(new Case("avg_pool " + excl, t -> PoolOps.avgPool2d(t[0], excl), x, 0));
            cs.add(new Case("avg_pool " + incl, t -> PoolOps.avgPool2d(t[0], incl), x, 0));
        }
        cs.add(new Case("global_avg_pool", t -> PoolOps.globalAvgPool(t[0]), x, 0));
        for (boolean ac : new boolean[] {false, true}) {
            cs.add(new Case("bilinear up ac=" + ac, t -> ResizeOps.bilinear(t[0], 2 * h - 1, 2 * w + 3, ac), x, 0));
            cs.add(new Case("bilinear down ac=" + ac, t -> ResizeOps.bilinear(t[0], (h + 1) / 2, w / 3, ac), x, 0));
        }
        return cs;
    }

    private static Tensor cast(Tensor t, Tensor like) { return Tensors.cast(t, like.dtype()); }

    /** Forward output and the gradients of every input for a seeded gy, read back as doubles. */
    private static List<double[]> run(Case k, DType dtype) {
        try (Scope s = Scope.open()) {
            int c = k.xDims()[1];
            Tensor[] in = new Tensor[1 + k.extraParams()];
            in[0] = Tensors.uniform(Device.CPU, dtype, Shape.of(k.xDims()), 1, -2, 3).requiresGrad(true);
            for (int i = 1; i < in.length; i++) in[i] = Tensors.uniform(Device.CPU, dtype, Shape.of(c), 1 + i, 0.5, 1.5).requiresGrad(true);
            Tensor y = k.f().apply(in);
            Autograd.backward(y, Tensors.uniform(Device.CPU, dtype, y.shape(), 9, -1, 1), null);
            List<double[]> out = new ArrayList<>();
            out.add(Tensors.toDoubles(y));
            for (Tensor t : in) {
                out.add(Tensors.toDoubles(t.grad()));
                t.grad().close();
            }
            return out;
        }
    }

    @Test void f32MatchesF64() {
        for (Case k : cases(3, 4, 13, 11)) {
            List<double[]> f32 = run(k, DType.F32), f64 = run(k, DType.F64);
            for (int i = 0; i < f64.size(); i++) {
                assertClose(k.name() + (i == 0 ? " forward" : " grad of input " + (i - 1)), f32.get(i), f64.get(i), 1e-5, 1e-4);
            }
        }
    }

    @Test void oneAndTwoThreadsAreBitwiseEqual() {
        int before = Parallel.threads();
        try {
            for (Case k : cases(4, 8, 33, 35)) {
                for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                    Parallel.setThreads(1);
                    List<double[]> one = run(k, dtype);
                    Parallel.setThreads(2);
                    List<double[]> two = run(k, dtype);
                    for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), k.name() + " " + dtype + " output " + i);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Forward and backward inside a scope leave no memory behind (saved tensors freed after backward). */
    @Test void noMemoryLeftBehind() {
        List<Case> cs = cases(2, 3, 7, 5);
        run(cs.get(0), DType.F32); // warm any lazily made state
        long storages = MemoryStats.liveStorages(), bytes = MemoryStats.liveBytes();
        for (Case k : cs) {
            run(k, DType.F32);
            assertEquals(storages, MemoryStats.liveStorages(), k.name() + ": live storages");
            assertEquals(bytes, MemoryStats.liveBytes(), k.name() + ": live bytes");
        }
    }
}
