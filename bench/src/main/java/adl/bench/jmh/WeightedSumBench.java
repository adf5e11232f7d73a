package adl.bench.jmh;

import adl.backend.Backend;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The weighted-sum kernel (docs/05c-kernels.md §2), F32, through the backend primitive with pre-allocated
 * outputs (the kernel alone, no autograd bookkeeping):
 * <ul>
 * <li>{@code forward}: out = Σ_k w_k · x_k — moves K reads + 1 write of S floats;</li>
 * <li>{@code backward}: gx_k = w_k · gy for every k and gw_k = Σ gy · x_k (the weight step's
 *     and a full backward's case) — at least 1 + K reads + K writes;</li>
 * <li>{@code backwardArch}: gw only (the architecture step) — at least 1 + K reads.</li>
 * </ul>
 * S = numel of one input; bench/report.py turns times into GB/s with these counts. Kinds: see
 * {@link Geometry#inputs} (mixed8: K = 8, the case that took the per-input passes before every K
 * had the one-pass kernel).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WeightedSumBench {
    @Param({"mixed", "mixed8", "node"}) public String kind;
    @Param({"0", "1", "2", "3"}) public int level;
    @Param({"cpu", "cuda"}) public String device;

    private Backend be;
    private Tensor[] xs;
    private Tensor[] gxs;
    private Tensor w, out, gy, gw, sync;

    @Setup(Level.Trial)
    public void setup() {
        Device d = Devices.open(device);
        be = d.backend();
        int k = Geometry.inputs(kind);
        Shape shape = Shape.of(Geometry.sumDims(kind, level));
        xs = new Tensor[k];
        gxs = new Tensor[k];
        for (int i = 0; i < k; i++) {
            xs[i] = Tensors.randn(d, DType.F32, shape, 10 + i, 0, 1);
            gxs[i] = Tensors.empty(d, DType.F32, shape);
        }
        w = Tensors.uniform(d, DType.F32, Shape.of(k), 3, 0, 1);
        out = Tensors.empty(d, DType.F32, shape);
        gy = Tensors.randn(d, DType.F32, shape, 4, 0, 1);
        gw = Tensors.empty(d, DType.F32, Shape.of(k));
        sync = Devices.syncTensor(d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : xs) t.close();
        for (Tensor t : gxs) t.close();
        w.close();
        out.close();
        gy.close();
        gw.close();
        if (sync != null) sync.close();
    }

    @Benchmark
    public Tensor forward() {
        be.weightedSum(xs, w, out);
        Devices.sync(sync);
        return out;
    }

    @Benchmark
    public Tensor backward() {
        be.weightedSumBackward(xs, w, gy, gxs, gw);
        Devices.sync(sync);
        return gw;
    }

    @Benchmark
    public Tensor backwardArch() {
        be.weightedSumBackward(xs, w, gy, null, gw);
        Devices.sync(sync);
        return gw;
    }
}
