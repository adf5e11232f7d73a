package adl.train;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.Batch;
import adl.data.Loader;
import adl.data.SyntheticDataset;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The search's A and B loaders hand out, at every iteration of a run and from any resume point,
 * exactly the batches the loop built itself before it had a loader:
 * Batch.of(train, order.batchA(epoch, it) / order.batchB(archSteps), device, seed, epoch, flip).
 */
class SearchStreamsTest {
    /** 4 epochs of 3 iterations, architecture steps from epoch 2 on; 3 images per batch. */
    static final SearchConfig CFG = new SearchConfig("synthetic", null, 1.0, "cpu", 2, 2, 2, 16, 3, 4, 2, 3,
            0.025, 0.001, 0.9, 3e-4, 3e-3, 1e-3, 0.9, 0.999, 14, 4, 21, 2, 10, 3, false, 1, null);

    @Test void streamsReproduceTheLoopsOwnBatchesFromAnyStart() {
        SyntheticDataset train = new SyntheticDataset("train", CFG.trainImages(), CFG.crop(), CFG.crop(), CFG.seed());
        DataOrder order = new DataOrder(CFG.seed(), CFG.trainImages());
        int ipe = CFG.resolvedItersPerEpoch();
        assertEquals(12, CFG.totalIterations());
        for (long resumeAt : new long[] {0, 4, 7, 12}) {
            long archSteps = Math.max(0, resumeAt - (long) CFG.archStartEpoch() * ipe);
            int checkedB = 0;
            try (Loader a = SearchLoop.streamA(CFG, order, train, resumeAt, 2); Loader b = SearchLoop.streamB(CFG, order, train, archSteps, 2)) {
                long global = resumeAt;
                for (int epoch = (int) (resumeAt / ipe); epoch < CFG.epochs(); epoch++) {
                    for (int it = epoch == resumeAt / ipe ? (int) (resumeAt % ipe) : 0; it < ipe; it++, global++) {
                        assertSameBatch(Batch.of(train, order.batchA(epoch, it, CFG.batch()), Device.CPU, CFG.seed(), epoch, true),
                                Batch.of(a.take(global), Device.CPU));
                        if (epoch >= CFG.archStartEpoch()) {
                            assertSameBatch(Batch.of(train, order.batchB(archSteps, CFG.batch()), Device.CPU, CFG.seed(), epoch, true),
                                    Batch.of(b.take(archSteps), Device.CPU));
                            archSteps++;
                            checkedB++;
                        }
                    }
                }
                assertEquals(CFG.totalIterations(), global);
            }
            assertEquals(Math.min(6, 12 - resumeAt), checkedB, "architecture batches checked from " + resumeAt);
        }
    }

    private static void assertSameBatch(Batch expected, Batch actual) {
        assertArrayEquals(Tensors.toDoubles(expected.images()), Tensors.toDoubles(actual.images()));
        assertArrayEquals(Tensors.toDoubles(expected.labels()), Tensors.toDoubles(actual.labels()));
    }
}
