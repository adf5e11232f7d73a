package adl.data;

/**
 * Resizing a sample by a factor (the paper searches Cityscapes at half resolution):
 * the image bilinearly, the label by nearest neighbour, to {@code max(1, round(n · factor))} per side.
 * Both follow PyTorch's {@code F.interpolate(size=...)}: bilinear with align_corners=False
 * (half-pixel centres, source clamped at 0), nearest with {@code src = floor(dst · in / out)}.
 */
public final class Resize {
    private Resize() {}

    public static int size(int n, double factor) { return (int) Math.max(1, Math.round(n * factor)); }

    /** chw: [C, H, W] → [C, oh, ow]. */
    public static float[] bilinear(float[] chw, int c, int h, int w, int oh, int ow) {
        float[] out = new float[c * oh * ow];
        double sy = (double) h / oh, sx = (double) w / ow;
        int[] x0 = new int[ow], x1 = new int[ow];
        double[] fx = new double[ow];
        for (int x = 0; x < ow; x++) {
            double src = Math.max(0, (x + 0.5) * sx - 0.5);
            x0[x] = Math.min((int) src, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = src - x0[x];
        }
        for (int y = 0; y < oh; y++) {
            double src = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) src, h - 1), y1 = Math.min(y0 + 1, h - 1);
            double fy = src - y0;
            for (int k = 0; k < c; k++) {
                int plane = k * h * w, r0 = plane + y0 * w, r1 = plane + y1 * w, o = (k * oh + y) * ow;
                for (int x = 0; x < ow; x++) {
                    double top = chw[r0 + x0[x]] * (1 - fx[x]) + chw[r0 + x1[x]] * fx[x];
                    double bot = chw[r1 + x0[x]] * (1 - fx[x]) + chw[r1 + x1[x]] * fx[x];
                    out[o + x] = (float) (top * (1 - fy) + bot * fy);
                }
            }
        }
        return out;
    }

    /** label: [H, W] → [oh, ow]. */
    public static int[] nearest(int[] label, int h, int w, int oh, int ow) {
        int[] out = new int[oh * ow];
        float scaleY = (float) h / oh, scaleX = (float) w / ow;   // float, as PyTorch's nearest_idx
        for (int y = 0; y < oh; y++) {
            int sy = Math.min((int) Math.floor(y * scaleY), h - 1);
            for (int x = 0; x < ow; x++) {
                int sx = Math.min((int) Math.floor(x * scaleX), w - 1);
                out[y * ow + x] = label[sy * w + sx];
            }
        }
        return out;
    }
}
