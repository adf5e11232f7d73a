package adl.bench.jmh;

import adl.backend.Backend;
import adl.backend.BinaryOp;
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
 * The engine's own memory-bound primitives as the bandwidth reference for {@link WeightedSumBench}:
 * for each (kind, level) the tensors are sized so that the op moves the same bytes as the
 * weighted sum's forward, (K + 1)·S floats: {@code copy} copies (K + 1)·S/2 floats (1 read +
 * 1 write), {@code add} adds two tensors of (K + 1)·S/3 floats (2 reads + 1 write).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CopyBench {
    @Param({"mixed", "node"}) public String kind;
    @Param({"0", "1", "2", "3"}) public int level;
    @Param({"cpu", "cuda"}) public String device;

    private Backend be;
    private Tensor src, dst, a, b, z, sync;

    /** Floats moved by the weighted sum's forward for (kind, level): (K + 1)·S. */
    static long movedFloats(String kind, int level) {
        return (Geometry.inputs(kind) + 1) * Geometry.numel(Geometry.sumDims(kind, level));
    }

    @Setup(Level.Trial)
    public void setup() {
        Device d = Devices.open(device);
        be = d.backend();
        long moved = movedFloats(kind, level);
        Shape copyShape = Shape.of(Math.toIntExact(moved / 2));
        Shape addShape = Shape.of(Math.toIntExact(moved / 3));
        src = Tensors.randn(d, DType.F32, copyShape, 1, 0, 1);
        dst = Tensors.empty(d, DType.F32, copyShape);
        a = Tensors.randn(d, DType.F32, addShape, 2, 0, 1);
        b = Tensors.randn(d, DType.F32, addShape, 3, 0, 1);
        z = Tensors.empty(d, DType.F32, addShape);
        sync = Devices.syncTensor(d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {src, dst, a, b, z}) t.close();
        if (sync != null) sync.close();
    }

    @Benchmark
    public Tensor copy() {
        be.copy(src, dst);
        Devices.sync(sync);
        return dst;
    }

    @Benchmark
    public Tensor add() {
        be.binary(BinaryOp.ADD, a, b, z);
        Devices.sync(sync);
        return z;
    }
}
