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
 * Bilinear resize (align_corners = false) forward and backward through the backend primitive,
 * at the resamplings the search does at batch 2, crop 321 (docs/02-search-space.md §3, §6):
 * {@code up1to0} / {@code up2to1} / {@code up3to2}: a coarser node's output (5C of its level)
 * brought to the next finer level's size in preprocessing; {@code down0to2}: a level-0 output
 * (40 channels) brought two levels down; {@code head}: 19-class logits of level 0 upsampled
 * to the crop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResizeBench {
    @Param({"up1to0", "up2to1", "up3to2", "down0to2", "head"}) public String resize;
    @Param({"cpu", "cuda"}) public String device;

    private Backend be;
    private Tensor x, y, gy, gx, sync;

    /** {N, C, h_in, h_out} of a case. */
    static int[] dims(String resize) {
        int n = Geometry.BATCH;
        return switch (resize) {
            case "up1to0" -> new int[] {n, Geometry.BLOCKS * Geometry.channels(1), Geometry.size(1), Geometry.size(0)};
            case "up2to1" -> new int[] {n, Geometry.BLOCKS * Geometry.channels(2), Geometry.size(2), Geometry.size(1)};
            case "up3to2" -> new int[] {n, Geometry.BLOCKS * Geometry.channels(3), Geometry.size(3), Geometry.size(2)};
            case "down0to2" -> new int[] {n, Geometry.BLOCKS * Geometry.channels(0), Geometry.size(0), Geometry.size(2)};
            case "head" -> new int[] {n, 19, Geometry.size(0), Geometry.CROP};
            default -> throw new IllegalArgumentException("unknown resize case '" + resize + "'");
        };
    }

    @Setup(Level.Trial)
    public void setup() {
        Device d = Devices.open(device);
        be = d.backend();
        int[] c = dims(resize);
        Shape in = Shape.of(c[0], c[1], c[2], c[2]), out = Shape.of(c[0], c[1], c[3], c[3]);
        x = Tensors.randn(d, DType.F32, in, 1, 0, 1);
        y = Tensors.empty(d, DType.F32, out);
        gy = Tensors.randn(d, DType.F32, out, 2, 0, 1);
        gx = Tensors.empty(d, DType.F32, in);
        sync = Devices.syncTensor(d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, y, gy, gx}) t.close();
        if (sync != null) sync.close();
    }

    @Benchmark
    public Tensor forward() {
        be.resizeBilinear(x, false, y);
        Devices.sync(sync);
        return y;
    }

    @Benchmark
    public Tensor backward() {
        be.resizeBilinearBackward(gy, false, gx);
        Devices.sync(sync);
        return gx;
    }
}
