package adl.nas;

import adl.autograd.Autograd;
import adl.autograd.Frozen;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.nn.Init;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SuperNet.setRecompute: the MixedOps recompute their branches in backward instead of storing
 * them. Same loss bit for bit, same BatchNorm running statistics bit for bit (the recomputation
 * does not update them a second time), gradients equal (to a relative 1e-12 in F64 and 2e-5 of
 * each tensor's largest entry in F32 here; RecomputeBitwiseTest asserts bit for bit), and a lower
 * peak of live engine memory.
 */
class RecomputeTest {
    static final int H = 17, W = 19, CLASSES = 4;

    record Run(double loss, List<double[]> grads, List<double[]> buffers, long peakBytes) {}

    static Run run(DType dtype, boolean recompute, boolean archOnly) {
        try (SuperNet net = new SuperNet(new Init(Device.CPU, dtype, 3), new SuperNet.Config(3, 2, 2, CLASSES))) {
            net.setRecompute(recompute);
            long before;
            double loss;
            try (Scope s = Scope.open(); Frozen frozen = Frozen.of(archOnly ? net.weightParameters() : List.of())) {
                Tensor x = Tensors.randn(Device.CPU, dtype, Shape.of(2, 3, H, W), 11, 0, 1);
                int[] l = new int[2 * H * W];
                for (int i = 0; i < l.length; i++) l[i] = (i * 7 + i / 5) % CLASSES;
                Tensor labels = Tensors.ofInts(Device.CPU, Shape.of(2, H, W), l);
                before = MemoryStats.liveBytes();
                MemoryStats.resetPeak();
                Tensor lossT = net.loss(x, labels);
                loss = Tensors.item(lossT);
                Autograd.backward(lossT);
            }
            long peak = MemoryStats.peakBytes() - before;
            List<double[]> grads = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
                Tensor g = e.getValue().grad();
                grads.add(g == null ? null : Tensors.toDoubles(g));
            }
            List<double[]> buffers = new ArrayList<>();
            for (Tensor b : net.namedBuffers().values()) buffers.add(Tensors.toDoubles(b));
            return new Run(loss, grads, buffers, peak);
        }
    }

    static void compare(DType dtype, boolean archOnly, double rtol) {
        Run a = run(dtype, false, archOnly), b = run(dtype, true, archOnly);
        assertEquals(a.loss(), b.loss(), 0.0, "loss bit for bit");
        assertEquals(a.buffers().size(), b.buffers().size());
        for (int i = 0; i < a.buffers().size(); i++) assertArrayEquals(a.buffers().get(i), b.buffers().get(i), 0.0, "buffer " + i);
        int compared = 0;
        double worst = 0;
        for (int i = 0; i < a.grads().size(); i++) {
            double[] ga = a.grads().get(i), gb = b.grads().get(i);
            assertEquals(ga == null, gb == null, "gradient " + i + " present in both or neither");
            if (ga == null) continue;
            double scale = 0;
            for (double v : ga) scale = Math.max(scale, Math.abs(v));
            for (int k = 0; k < ga.length; k++) worst = Math.max(worst, Math.abs(ga[k] - gb[k]) / Math.max(scale, 1e-30));
            compared++;
        }
        assertTrue(compared >= (archOnly ? 2 : 10), "gradients compared: " + compared);
        assertTrue(worst <= rtol, dtype + (archOnly ? " arch-only" : " all") + ": worst gradient difference " + worst + " of the tensor's max");
        assertTrue(b.peakBytes() < a.peakBytes(), "recompute peak " + b.peakBytes() + " < stored peak " + a.peakBytes());
    }

    @Test void allGradientsMatchInF64() { compare(DType.F64, false, 1e-12); }

    @Test void archGradientsMatchInF64WithWeightsFrozen() { compare(DType.F64, true, 1e-12); }

    @Test void allGradientsMatchInF32() { compare(DType.F32, false, 2e-5); }

    @Test void recomputeLeavesNoMoreLiveMemoryBehindThanStoring() {
        long live = MemoryStats.liveBytes();
        run(DType.F32, false, false);
        long stored = MemoryStats.liveBytes() - live;
        run(DType.F32, true, false);
        assertEquals(stored, MemoryStats.liveBytes() - live - stored, "live bytes left after the net is closed");
    }
}
