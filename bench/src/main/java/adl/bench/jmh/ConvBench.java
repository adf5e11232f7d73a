package adl.bench.jmh;

import adl.autograd.Autograd;
import adl.autograd.ConvOps;
import adl.autograd.GradMode;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.cli.bench.ConvCase;
import adl.memory.Scope;
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
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The search supernet's convolutions (the parts of sep_conv / dil_conv: depthwise 3×3 / 5×5,
 * dilated depthwise 3×3 / 5×5, pointwise 1×1 at C = 8·2^v) at batch 2, at the crop of the CPU
 * search step ({@code bench search-step}, 64: planes 16×16 … 2×2, where per-call costs decide) and
 * the paper's crop 321 (planes 81×81 … 11×11), through the
 * autograd op {@link ConvOps#conv2d}, F32 — the cases of {@code adl bench ops}
 * ({@link ConvCase}). {@code forward}; {@code forwardBackward} = forward + backward for the data
 * and the filter gradient. bench/report.py reports GFLOP/s: 2·k²·(Cin/groups)·Cout·Ho·Wo·N for
 * the forward, 3× that for forward + backward.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConvBench {
    @Param({"dw3x3", "dw5x5", "dil_dw3x3", "dil_dw5x5", "pw1x1"}) public String op;
    @Param({"0", "1", "2", "3"}) public int level;
    @Param({"64", "321"}) public int crop;
    @Param({"cpu", "cuda"}) public String device;

    private ConvCase cc;
    private Tensor x, w, g, sync;

    @Setup(Level.Trial)
    public void setup() {
        Device d = Devices.open(device);
        cc = ConvCase.forCrops(List.of(crop), Geometry.BATCH).stream()
                .filter(c -> c.op().equals(op) && c.c() == Geometry.channels(level))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no conv case " + op + " at level " + level));
        x = Tensors.randn(d, DType.F32, Shape.of(cc.inputDims()), 1, 0, 1);
        w = Tensors.randn(d, DType.F32, Shape.of(cc.weightDims()), 2, 0, 0.1);
        g = Tensors.full(d, DType.F32, Shape.of(cc.n(), cc.c(), cc.outSize(), cc.outSize()), 1);
        x.requiresGrad(true);
        w.requiresGrad(true);
        sync = Devices.syncTensor(d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Grads.clear(List.of(x, w));
        for (Tensor t : new Tensor[] {x, w, g}) t.close();
        if (sync != null) sync.close();
    }

    @Benchmark
    @SuppressWarnings("try")
    public void forward() {
        try (Scope rep = Scope.open(); GradMode.Guard noGrad = GradMode.off()) {
            ConvOps.conv2d(x, w, null, cc.params());
            Devices.sync(sync);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public void forwardBackward() {
        try (Scope rep = Scope.open()) {
            Tensor y = ConvOps.conv2d(x, w, null, cc.params());
            Autograd.backward(y, g, null);
            Devices.sync(sync);
        }
        Grads.clear(x);
        Grads.clear(w);
    }
}
