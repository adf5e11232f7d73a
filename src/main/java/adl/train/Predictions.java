package adl.train;

import adl.backend.Tensors;
import adl.tensor.Tensor;

/** Turning logits into class maps. */
public final class Predictions {
    private Predictions() {}

    /** logits [N, C, H, W] → per pixel the class of the largest logit (first on ties), [N·H·W] row-major. */
    public static int[] argmax(Tensor logits) {
        int n = logits.dim(0), c = logits.dim(1), hw = logits.dim(2) * logits.dim(3);
        double[] v = Tensors.toDoubles(logits);
        int[] out = new int[n * hw];
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < hw; p++) {
                int best = 0;
                double bv = v[b * c * hw + p];
                for (int k = 1; k < c; k++) {
                    double x = v[(b * c + k) * hw + p];
                    if (x > bv) {
                        bv = x;
                        best = k;
                    }
                }
                out[b * hw + p] = best;
            }
        }
        return out;
    }
}
