package adl.train;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.Batch;
import adl.data.SyntheticDataset;
import adl.memory.Scope;
import adl.nas.Bilevel;
import adl.nas.BilevelStep;
import adl.nas.SuperNet;
import adl.nn.Init;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The criterion for turning {@code --cuda-graphs} on by default (docs/05d-cuda-graphs.md), on a real GPU only
 * ({@code @Tag("gpu")}, excluded by default; NOT yet run): a tiny search — weight steps, then weight +
 * architecture steps — run eagerly and through {@link SearchGraphs} (warm-up, capture, replays) on
 * two identically initialised supernets gives the same losses and the same parameters, optimizer
 * counters and batch-norm statistics bit for bit.
 */
@Tag("gpu")
class SearchGraphsGpuTest {
    static final int ITERS = 12, ARCH_FROM = 5;

    @Test
    void graphIterationsEqualEagerIterationsBitForBit() {
        Device cuda = Device.parse("cuda", n -> {});
        assumeTrue(cuda.unusableReason() == null, "no usable GPU: " + cuda.unusableReason());
        SyntheticDataset data = new SyntheticDataset("train", 8, 32, 32, 1);
        SuperNet.Config cfg = new SuperNet.Config(2, 2, 2, SyntheticDataset.CLASSES.size());
        try (SuperNet eager = new SuperNet(new Init(cuda, DType.F32, 5), cfg); SuperNet graphed = new SuperNet(new Init(cuda, DType.F32, 5), cfg);
             BilevelStep<SGD> we = BilevelStep.weights(eager, 0.025, 0.9, 3e-4); BilevelStep<Adam> ae = BilevelStep.architecture(eager, 3e-3, 0.9, 0.999, 1e-3);
             Bilevel bg = new Bilevel(graphed, BilevelStep.weights(graphed, 0.025, 0.9, 3e-4), BilevelStep.architecture(graphed, 3e-3, 0.9, 0.999, 1e-3), 1);
             SearchGraphs graphs = new SearchGraphs(cuda, graphed, bg)) {
            for (int it = 0; it < ITERS; it++) {
                double lr = 0.025 * (1 + Math.cos(Math.PI * it / ITERS)) / 2;
                int[] ia = {it % 8, (it + 3) % 8}, ib = {(it + 5) % 8, (it + 6) % 8};
                boolean arch = it >= ARCH_FROM;
                double wl, al = Double.NaN;
                try (Scope s = Scope.open()) {
                    Batch a = Batch.of(data, ia, cuda, 1, 0, true), b = Batch.of(data, ib, cuda, 1, 0, true);
                    wl = we.at(lr).step(a.images(), a.labels());
                    if (arch) al = ae.step(b.images(), b.labels());
                }
                double[] got;
                try (Scope s = Scope.open()) {
                    Batch a = Batch.of(data, ia, Device.CPU, 1, 0, true), b = Batch.of(data, ib, Device.CPU, 1, 0, true);
                    got = graphs.iteration(a, arch ? b : null, lr);
                }
                assertEquals(wl, got[0], "weight loss, iteration " + it + " (" + graphs.lastPhase() + ")");
                assertEquals(al, got[1], "architecture loss, iteration " + it + " (" + graphs.lastPhase() + ")");
            }
            assertEquals(CapturedStep.Phase.REPLAYED, graphs.lastPhase());
            Map<String, Tensor> se = eager.stateDict(), sg = graphed.stateDict();
            for (String k : se.keySet()) assertArrayEquals(Tensors.toDoubles(se.get(k)), Tensors.toDoubles(sg.get(k)), k);
            for (String k : ae.optimizer().state().keySet()) {
                assertEquals(ae.optimizer().state().get(k).step(), bg.architecture().optimizer().state().get(k).step(), k + " Adam step");
            }
        }
    }
}
