package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Collapsing shapes to the 4-D index space of the kernels (no GPU). */
class Layout4Test {
    @Test
    void dropsOnesMergesContiguousRunsAndPads() {
        Layout4 l = Layout4.of("t", new long[] {2, 1, 3, 4}, new long[] {12, 12, 4, 1}, new long[] {0, 0, 4, 1});
        assertArrayEquals(new int[] {1, 1, 2, 12}, l.dims());
        assertArrayEquals(new int[] {0, 0, 12, 1}, l.strides()[0]);
        assertArrayEquals(new int[] {0, 0, 0, 1}, l.strides()[1]);
    }

    @Test
    void keepsTransposedDimsApartAndMergesBroadcastRuns() {
        Layout4 l = Layout4.of("t", new long[] {4, 3, 2}, new long[] {1, 4, 12}, new long[] {6, 2, 1});
        assertArrayEquals(new int[] {1, 4, 3, 2}, l.dims());
        assertArrayEquals(new int[] {0, 1, 4, 12}, l.strides()[0]);
        Layout4 b = Layout4.of("t", new long[] {5, 6, 7}, new long[] {0, 0, 1}, new long[] {42, 7, 1});
        assertArrayEquals(new int[] {1, 1, 30, 7}, b.dims());
        assertArrayEquals(new int[] {0, 0, 0, 1}, b.strides()[0]);
    }

    @Test
    void rejectsFiveIndependentDims() {
        long[] d = {2, 3, 2, 3, 2};
        assertThrows(UnsupportedOperationException.class,
                () -> Layout4.of("t", d, new long[] {1, 2, 6, 12, 36}, Layout4.contiguous(d)));
    }
}
