package adl.bench.jmh;

import adl.autograd.Autograd;
import adl.autograd.GradMode;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nas.CellTopology;
import adl.nas.SearchCell;
import adl.nn.Init;
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

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One search cell, F32, batch 2: the cell of node (layer 2, level 0) — F = 8, C = 8, B = 5,
 * 20 MixedOps — evaluated once from its level-0 predecessor: H^{l−1} [2, 40, h, h] (1×1
 * preprocessing) and H^{l−2} = the stem node [2, 128, h, h] (1×1 preprocessing), h = 81 at crop
 * 321. {@code forward}: no gradients; {@code forwardBackward}: forward + backward to every
 * weight of the cell, edge weights constant (the search's weight step). Crop is a parameter
 * (run with {@code -p crop=64} for a smaller case); {@code recompute} as the search runs by
 * default (the MixedOps recompute their branches in backward) or storing them ({@code false}).
 * On the CPU with two threads each MixedOp's branches are tasks on the two threads (docs/performance.md).
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SearchCellBench {
    @Param({"321"}) public int crop;
    @Param({"cpu", "cuda"}) public String device;
    @Param({"true"}) public boolean recompute;

    private SearchCell cell;
    private Tensor h1, h2, g, sync;
    private Tensor[] edgeWeights;
    private int size;

    @Setup(Level.Trial)
    public void setup() {
        Device d = Devices.open(device);
        CellTopology topology = new CellTopology(Geometry.BLOCKS);
        int c = Geometry.channels(0);
        size = Geometry.size(crop, 0);
        Init init = new Init(d, DType.F32, 7);
        cell = new SearchCell(init, topology, 0, c,
                Map.of(0, Geometry.BLOCKS * c, 1, Geometry.BLOCKS * Geometry.channels(1)), 0, 128);
        setRecompute(cell, recompute);
        h1 = Tensors.randn(d, DType.F32, Shape.of(Geometry.BATCH, Geometry.BLOCKS * c, size, size), 1, 0, 1);
        h2 = Tensors.randn(d, DType.F32, Shape.of(Geometry.BATCH, 128, size, size), 2, 0, 1);
        g = Tensors.randn(d, DType.F32, Shape.of(Geometry.BATCH, Geometry.BLOCKS * c, size, size), 3, 0, 1);
        edgeWeights = new Tensor[topology.edges()];
        for (int e = 0; e < edgeWeights.length; e++) edgeWeights[e] = Tensors.full(d, DType.F32, Shape.of(7), 1.0 / 8);
        sync = Devices.syncTensor(d);
    }

    private static void setRecompute(adl.nn.Module m, boolean on) {
        if (m instanceof adl.nas.MixedOp op) op.setRecompute(on);
        for (adl.nn.Module child : m.children().values()) setRecompute(child, on);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Grads.clear(cell.parameters());
        cell.close();
        for (Tensor t : new Tensor[] {h1, h2, g}) t.close();
        for (Tensor t : edgeWeights) t.close();
        if (sync != null) sync.close();
    }

    private Tensor run() {
        Tensor s1 = cell.preprocessPrev2(h2, size, size);
        return cell.forward(0, h1, s1, edgeWeights);
    }

    @Benchmark
    @SuppressWarnings("try")
    public void forward() {
        try (Scope rep = Scope.open(); GradMode.Guard noGrad = GradMode.off()) {
            run();
            Devices.sync(sync);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public void forwardBackward() {
        try (Scope rep = Scope.open()) {
            Autograd.backward(run(), g, null);
            Devices.sync(sync);
        }
        Grads.clear(cell.parameters());
    }
}
