package adl.train;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.Batch;
import adl.data.SyntheticDataset;
import adl.nas.Bilevel;
import adl.nas.BilevelStep;
import adl.nas.SuperNet;
import adl.nn.BatchNorm2d;
import adl.nn.Init;
import adl.optim.Adam;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What of the graph search path runs without a GPU: the capturable step forms ({@code stepInto})
 * give exactly the eager steps' parameters and losses on the CPU; the host bookkeeping a replay does
 * instead of the Java code (Adam step counts, batch-norm counters); and the flag's refusal off CUDA.
 * (The capture mechanics themselves: {@link CapturedStepTest}, {@code CudaGraphTest}.)
 */
class SearchGraphsTest {
    @TempDir Path tmp;

    static SuperNet tinyNet() {
        return new SuperNet(new Init(Device.CPU, DType.F32, 3), new SuperNet.Config(2, 2, 2, SyntheticDataset.CLASSES.size()));
    }

    /** The search's two steps on {@code net}, first order. */
    static Bilevel bilevel(SuperNet net) {
        return new Bilevel(net, BilevelStep.weights(net, 0.05, 0.9, 3e-4), BilevelStep.architecture(net, 3e-3, 0.9, 0.999, 1e-3), 1);
    }

    static Batch batch(int seed) {
        SyntheticDataset data = new SyntheticDataset("train", 4, 24, 24, 7);
        return Batch.of(data, new int[] {seed % 4, (seed + 1) % 4}, Device.CPU, 7, 0, true);
    }

    static void assertSameState(SuperNet a, SuperNet b) {
        Map<String, Tensor> sa = a.stateDict(), sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) assertArrayEquals(Tensors.toDoubles(sa.get(k)), Tensors.toDoubles(sb.get(k)), k);
    }

    @Test
    void capturedIterationGivesTheEagerIterationBitForBitOnTheCpu() {
        try (SuperNet eager = tinyNet(); SuperNet into = tinyNet(); Bilevel be = bilevel(eager); Bilevel bi = bilevel(into);
             Tensor losses = Tensors.zeros(Device.CPU, DType.F32, 2)) {
            Tensor l0 = Tensors.view(losses, adl.tensor.Shape.of(1), new long[] {1}, 0);
            Tensor l1 = Tensors.view(losses, adl.tensor.Shape.of(1), new long[] {1}, 1);
            for (int it = 0; it < 3; it++) {
                Batch a = batch(it), b = batch(it + 2);
                double lr = 0.05 / (it + 1);
                Supplier<Tensor[]> xyB = it == 0 ? null : () -> new Tensor[] {b.images(), b.labels()}; // iteration 0: weight step only
                double[] eagerLosses = be.iteration(a.images(), a.labels(), xyB, lr, new Bilevel.Mode.Eager(0), () -> {});
                double[] none = bi.iteration(a.images(), a.labels(), xyB, lr, new Bilevel.Mode.Captured(l0, l1), () -> {});
                assertArrayEquals(new double[] {Double.NaN, Double.NaN}, none, "a captured iteration reads no loss on the host");
                double[] got = Tensors.toDoubles(losses);
                assertEquals((float) eagerLosses[0], got[0], "weight loss of iteration " + it);
                if (it == 0) assertTrue(Double.isNaN(eagerLosses[1]), "no architecture loss without B");
                else assertEquals((float) eagerLosses[1], got[1], "architecture loss of iteration " + it);
                assertSameState(eager, into);
            }
            assertEquals(2, bi.architecture().optimizer().state().get("arch.alpha").step());
            l0.close();
            l1.close();
        }
    }

    @Test
    void aReplayAdvancesTheHostCountersTheJavaStepWould() {
        try (SuperNet net = tinyNet(); BilevelStep<Adam> arch = BilevelStep.architecture(net, 3e-3, 0.9, 0.999, 1e-3)) {
            Adam adam = arch.optimizer();
            assertThrows(IllegalStateException.class, () -> adam.advanceStep("arch.alpha"), "no state before a first step");
            Batch b = batch(0);
            arch.step(b.images(), b.labels());
            assertEquals(2, adam.advanceStep("arch.alpha"));
            assertEquals(2, adam.state().get("arch.alpha").step());
            assertEquals(1, adam.state().get("arch.beta").step());
            BatchNorm2d bn = new BatchNorm2d(new Init(Device.CPU, DType.F32, 0), 3);
            bn.countBatches(5);
            assertEquals(5, bn.numBatchesTracked());
            assertEquals(5, (int) Tensors.item(bn.stateDict().get("num_batches_tracked")), "checkpoints see the count");
            assertThrows(IllegalArgumentException.class, () -> bn.countBatches(-1));
            bn.close();
        }
    }

    @Test
    void graphsOffCudaAreRefusedByTheLibrary() {
        try (SuperNet net = tinyNet(); Bilevel b = bilevel(net)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SearchGraphs(Device.CPU, net, b));
            assertTrue(e.getMessage().contains("CUDA device"), e.getMessage());
        }
        SearchConfig c = SearchLoopTest.tiny(1, 10, 0.025);
        SyntheticDataset d = new SyntheticDataset("train", c.trainImages(), c.crop(), c.crop(), c.seed());
        assertThrows(IllegalArgumentException.class,
                () -> new SearchLoop(c, tmp, d, d, new RunListener() {}, new StopSignal(), Device.CPU, true));
    }
}
