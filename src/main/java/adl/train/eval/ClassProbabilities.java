package adl.train.eval;

/**
 * Host copy of per-pixel class probabilities: {@code values} is [N, C, H, W] row-major; each
 * pixel's C values sum to 1 (up to rounding).
 */
public record ClassProbabilities(float[] values, int n, int classes, int height, int width) {
    public ClassProbabilities {
        if ((long) n * classes * height * width != values.length) {
            throw new IllegalArgumentException(values.length + " values for [" + n + ", " + classes + ", " + height + ", " + width + "]");
        }
    }

    public float get(int image, int c, int y, int x) { return values[((image * classes + c) * height + y) * width + x]; }

    /** Per pixel the most probable class (the lowest id on ties), [N, H, W] row-major. */
    public int[] argmax() {
        int hw = height * width;
        int[] out = new int[n * hw];
        for (int b = 0; b < n; b++) {
            int base = b * classes * hw;
            for (int p = 0; p < hw; p++) {
                int best = 0;
                float bv = values[base + p];
                for (int k = 1; k < classes; k++) {
                    float v = values[base + k * hw + p];
                    if (v > bv) {
                        bv = v;
                        best = k;
                    }
                }
                out[b * hw + p] = best;
            }
        }
        return out;
    }
}
