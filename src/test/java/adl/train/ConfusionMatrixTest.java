package adl.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfusionMatrixTest {
    @Test void iouFromAKnownMatrixLeavesOutClassesAbsentEverywhere() {
        ConfusionMatrix m = new ConfusionMatrix(4);
        // class 0: TP 3, FN 1 (predicted 1); class 1: TP 2, FP 1; class 2: TP 0, FN 1 (predicted 0), FP 0
        // class 3: never in labels or predictions -> left out of the mean
        m.add(new int[] {0, 0, 0, 0, 1, 1, 2, 255}, new int[] {0, 0, 0, 1, 1, 1, 0, 3}, 255);
        assertEquals(3.0 / 5, m.iou(0), 1e-12);   // TP 3, FP 1 (from class 2), FN 1
        assertEquals(2.0 / 3, m.iou(1), 1e-12);   // TP 2, FP 1, FN 0
        assertEquals(0.0, m.iou(2), 1e-12);       // TP 0, FN 1
        assertTrue(Double.isNaN(m.iou(3)));        // the ignored pixel's prediction 3 is not counted
        assertEquals((3.0 / 5 + 2.0 / 3 + 0) / 3, m.meanIou(), 1e-12);
        assertEquals(5.0 / 7, m.pixelAccuracy(), 1e-12);
    }

    @Test void perfectPredictionHasMeanIouOne() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(new int[] {0, 1, 2, 2}, new int[] {0, 1, 2, 2}, 255);
        assertEquals(1.0, m.meanIou(), 0);
    }

    @Test void outOfRangeValuesAreRejected() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        assertThrows(IllegalArgumentException.class, () -> m.add(new int[] {2}, new int[] {0}, 255));
    }
}
