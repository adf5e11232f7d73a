package adl.data;

import adl.testing.Golden;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Resize against PyTorch's F.interpolate (scripts/golden/data_resize.py): bilinear images, nearest labels. */
class ResizeTest {
    @Test void matchesPyTorchInterpolate() {
        Golden g = Golden.load("data_resize");
        double[] xd = g.data("x"), ld = g.data("label");
        float[] x = new float[xd.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) xd[i];
        int[] label = new int[ld.length];
        for (int i = 0; i < label.length; i++) label[i] = (int) ld[i];
        for (var size : g.meta().get("sizes")) {
            int oh = size.get(0).asInt(), ow = size.get(1).asInt();
            String key = oh + "x" + ow;
            float[] y = Resize.bilinear(x, 3, 5, 7, oh, ow);
            double[] want = g.data("bilinear_" + key);
            assertEquals(want.length, y.length);
            for (int i = 0; i < y.length; i++) assertEquals(want[i], y[i], 1e-5 + 1e-5 * Math.abs(want[i]), "bilinear " + key + " at " + i);
            int[] n = Resize.nearest(label, 5, 7, oh, ow);
            double[] wantN = g.data("nearest_" + key);
            for (int i = 0; i < n.length; i++) assertEquals((int) wantN[i], n[i], "nearest " + key + " at " + i);
        }
    }

    @Test void sizeRoundsAndNeverReachesZero() {
        assertEquals(512, Resize.size(1024, 0.5));
        assertEquals(3, Resize.size(5, 0.5));
        assertEquals(1, Resize.size(1, 0.25));
    }
}
