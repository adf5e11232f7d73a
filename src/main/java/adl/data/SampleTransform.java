package adl.data;

import java.util.function.LongUnaryOperator;

/**
 * What a batch slot is made from its dataset sample. A pure function of its arguments — every
 * random choice derived from (seed, iteration, slot) or (seed, iteration, index) — because the
 * {@link Loader} calls it on worker threads in any order and must reproduce the synchronous
 * result bit for bit, and a resumed run must draw what an uninterrupted one drew.
 */
@FunctionalInterface
public interface SampleTransform {
    /**
     * @param s         dataset sample {@code index}
     * @param index     its index in the dataset
     * @param iteration the batch's key (training iteration, architecture step...)
     * @param slot      its position in the batch
     */
    Sample apply(Sample s, int index, long iteration, int slot);

    /** The sample as it is (validation at the stored size). */
    static SampleTransform identity() { return (s, index, iteration, slot) -> s; }

    /** Random scale, crop and flip drawn from (seed, iteration, slot): the retrain augmentation. */
    static SampleTransform augment(Augment augment, long seed) {
        return (s, index, iteration, slot) -> augment.apply(s, seed, iteration, slot);
    }

    /**
     * The search's rule, identical to {@link Batch#of(Dataset, int[], adl.backend.Device, long, int, boolean)}
     * with flip: sample {@code index} is mirrored left-right when bit 0 of
     * mix(seed, epoch, index) is set, epoch = {@code epochOf}(iteration).
     */
    static SampleTransform seededFlip(long seed, LongUnaryOperator epochOf) {
        return (s, index, iteration, slot) ->
                (SyntheticDataset.mix(seed, epochOf.applyAsLong(iteration), index) & 1) == 1 ? mirror(s) : s;
    }

    /** s mirrored left-right (image and label). */
    static Sample mirror(Sample s) {
        int h = s.height(), w = s.width();
        float[] img = new float[3 * h * w];
        int[] lab = new int[h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) img[(c * h + y) * w + x] = s.image()[(c * h + y) * w + w - 1 - x];
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) lab[y * w + x] = s.label()[y * w + w - 1 - x];
        }
        return new Sample(s.name(), img, lab, h, w);
    }
}
