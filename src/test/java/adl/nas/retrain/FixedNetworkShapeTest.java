package adl.nas.retrain;

import adl.autograd.GradMode;
import adl.memory.Scope;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every endpoint of the paper's network at a 321×321 crop, as deeplab's nas_network_test does:
 * stem 161 (rate 2) and 81 (rate 4), cells at 81 / 41 / 21 / 11 as the path moves, ASPP at the
 * last cell's rate, decoder at rate 4, logits at the input size.
 */
class FixedNetworkShapeTest {
    /** Level sizes of a 321 crop (docs/06-retrain.md §1: ⌈h/2⌉ per halving). */
    static final int[] SIZE_321 = {81, 41, 21, 11};

    /** The expected [C, H, W] of every endpoint of the paper network with filter multiplier f, written out by hand. */
    static List<int[]> expectedPaper321(int f, FixedNetwork.Widths w, int classes) {
        List<int[]> e = new ArrayList<>();
        e.add(new int[] {w.stem(), 161, 161});
        e.add(new int[] {w.stemOut(), 81, 81});
        for (int v : Presets.PAPER_PATH) e.add(new int[] {5 * (f << v), SIZE_321[v], SIZE_321[v]});
        e.add(new int[] {w.aspp(), 41, 41}); // the path ends at level 1 (rate 8)
        e.add(new int[] {w.decoder(), 81, 81});
        e.add(new int[] {classes, 321, 321});
        return e;
    }

    @Test void paperNetworkEndpointShapesFromTheShapeWalk() {
        for (int f : new int[] {20, 48}) {
            try (FixedNetwork net = new FixedNetwork(new adl.nn.Init(adl.backend.Device.CPU, adl.tensor.DType.F32, 1),
                    new FixedNetwork.Config(Presets.byName(f == 20 ? "auto-deeplab-s" : "auto-deeplab-l"), f, 19))) {
                NetworkSummary s = net.summary(321, 321);
                List<int[]> want = expectedPaper321(f, FixedNetwork.Widths.PAPER, 19);
                assertEquals(want.size(), s.stages().size());
                for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), s.stages().get(i).chw(), s.stages().get(i).key());
                assertEquals(2, net.lowLevelCell(), "the decoder reads cell 2 (rate 4, 5F channels)");
                assertEquals(8, net.outputStride());
                assertArrayEquals(new int[] {12, 24, 36}, net.aspp().dilations());
            }
        }
    }

    @Test void paperNetworkEndpointShapesFromARealForwardAt321() {
        try (FixedNetwork net = Nets.build(Nets.paper(2), 2, 6, 3); Scope s = Scope.open(); GradMode.Guard g = GradMode.off()) {
            net.eval();
            Map<String, Tensor> ends = net.endpoints(Nets.images(1, 321, 321, 5));
            List<int[]> want = expectedPaper321(2, Nets.SMALL, 6);
            assertEquals(want.size(), ends.size());
            int i = 0;
            for (Map.Entry<String, Tensor> e : ends.entrySet()) {
                int[] c = want.get(i++);
                assertEquals(Shape.of(1, c[0], c[1], c[2]), e.getValue().shape(), e.getKey());
            }
            assertEquals(net.summary(321, 321).stages().stream().map(NetworkSummary.Stage::key).toList(), new ArrayList<>(ends.keySet()));
        }
    }

    @Test void evenAndOddSizesRoundUpAtEveryHalving() {
        try (FixedNetwork net = Nets.build(Nets.paper(2), 2, 3, 3); Scope s = Scope.open(); GradMode.Guard g = GradMode.off()) {
            Map<String, Tensor> ends = net.endpoints(Nets.images(2, 64, 50, 7));
            // 64 → 32 → 16 / 8 / 4 / 2;  50 → 25 → 13 / 7 / 4 / 2
            assertEquals(Shape.of(2, 8, 32, 25), ends.get("stem_rate2").shape());
            assertEquals(Shape.of(2, 16, 16, 13), ends.get("stem").shape());
            assertEquals(Shape.of(2, 20, 8, 7), ends.get("cell3").shape());
            assertEquals(Shape.of(2, 40, 4, 4), ends.get("cell4").shape());
            assertEquals(Shape.of(2, 80, 2, 2), ends.get("cell9").shape());
            assertEquals(Shape.of(2, 20, 8, 7), ends.get("cell11").shape());
            assertEquals(Shape.of(2, 3, 64, 50), ends.get("logits").shape());
            NetworkSummary sum = net.summary(64, 50);
            for (Map.Entry<String, Tensor> e : ends.entrySet()) {
                int[] c = sum.stage(e.getKey()).chw();
                assertEquals(Shape.of(2, c[0], c[1], c[2]), e.getValue().shape(), e.getKey());
            }
        }
    }
}
