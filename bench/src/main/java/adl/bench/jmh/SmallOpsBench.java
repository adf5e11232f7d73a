package adl.bench.jmh;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.PoolParams;
import adl.backend.Tensors;
import adl.backend.UnaryOp;
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
 * The small ops of a MixedOp at the CPU search size of {@code bench search-step} (crop 64,
 * batch 2, F = 8: level v is [2, 8·2^v, 16/2^v, 16/2^v]), where per-call cost decides: ReLU and
 * its backward (the mask), an add, BatchNorm (training, no affine, as in the search's ops)
 * forward and backward, and the 3×3 / stride 1 / pad 1 max and average pooling forward and
 * backward. Through the backend primitives, outputs pre-allocated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SmallOpsBench {
    @Param({"0", "1", "2", "3"}) public int level;
    @Param({"cpu", "cuda"}) public String device;

    private static final PoolParams POOL = new PoolParams(3, 1, 1, false);

    private Backend be;
    private Tensor x, y, g, gx, z, mean, invStd, sync;

    /** [2, 8·2^v, 16/2^v, 16/2^v]: the MixedOp tensors at level v of a 64 crop. */
    static Shape shape(int level) {
        return Shape.of(2, 8 << level, 16 >> level, 16 >> level);
    }

    @Setup(Level.Trial)
    public void setup() {
        Device d = Devices.open(device);
        be = d.backend();
        Shape s = shape(level);
        x = Tensors.randn(d, DType.F32, s, 1, 0, 1);
        g = Tensors.randn(d, DType.F32, s, 2, 0, 1);
        y = Tensors.empty(d, DType.F32, s);
        gx = Tensors.empty(d, DType.F32, s);
        z = Tensors.empty(d, DType.F32, s);
        mean = Tensors.empty(d, DType.F32, Shape.of(s.dim(1)));
        invStd = Tensors.empty(d, DType.F32, Shape.of(s.dim(1)));
        be.batchNormTrain(x, null, null, null, null, 0.1, 1e-5, y, mean, invStd);
        sync = Devices.syncTensor(d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, y, g, gx, z, mean, invStd}) t.close();
        if (sync != null) sync.close();
    }

    private Tensor done(Tensor t) {
        Devices.sync(sync);
        return t;
    }

    @Benchmark public Tensor relu() { be.unary(UnaryOp.RELU, x, 0, y); return done(y); }

    @Benchmark public Tensor reluBackward() { be.binary(BinaryOp.MASK_POSITIVE, g, x, z); return done(z); }

    @Benchmark public Tensor add() { be.binary(BinaryOp.ADD, x, g, z); return done(z); }

    @Benchmark public Tensor batchNorm() { be.batchNormTrain(x, null, null, null, null, 0.1, 1e-5, y, mean, invStd); return done(y); }

    @Benchmark public Tensor batchNormBackward() { be.batchNormTrainBackward(x, g, null, mean, invStd, gx, null, null); return done(gx); }

    @Benchmark public Tensor maxPool() { be.maxPoolForward(x, POOL, y); return done(y); }

    @Benchmark public Tensor maxPoolBackward() { be.maxPoolBackward(x, g, POOL, gx); return done(gx); }

    @Benchmark public Tensor avgPool() { be.avgPoolForward(x, POOL, y); return done(y); }

    @Benchmark public Tensor avgPoolBackward() { be.avgPoolBackward(g, POOL, gx); return done(gx); }
}
