package adl.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The built-in segmentation set (datasets/README.md, "From files to batches"): procedurally generated, seeded scenes with six
 * classes — a textured background and five kinds of objects (disks, boxes, triangles, rings,
 * striped blobs), each drawn at scales from a few pixels to half the image, with per-object
 * colours drawn from overlapping class distributions, texture and noise. Colour alone does not
 * separate the classes: shape, texture and context do, and small objects need fine resolution
 * while large ones need context — so the network-level path matters.
 *
 * <p>Sample i of a split depends only on (seed, split, i): any sample can be made on any thread,
 * in any order, which makes resume exact.
 */
public final class SyntheticDataset implements Dataset {
    public static final List<String> CLASSES = List.of("background", "disk", "box", "triangle", "ring", "striped");
    private static final int[][] PALETTE = {
        {0, 0, 0}, {230, 25, 75}, {60, 180, 75}, {255, 225, 25}, {0, 130, 200}, {245, 130, 48}};
    /** Mean colour per class (RGB in [0, 1]); objects draw around it with a wide spread. */
    private static final double[][] BASE = {
        {0.45, 0.45, 0.45}, {0.70, 0.35, 0.35}, {0.40, 0.65, 0.40}, {0.65, 0.60, 0.30}, {0.35, 0.45, 0.70}, {0.60, 0.50, 0.40}};

    private final String split;
    private final int size, height, width;
    private final long seed;

    /**
     * @param split  name of the split ("train", "val"); different splits never share samples
     * @param size   number of samples
     * @param height image height in pixels
     * @param width  image width in pixels
     * @param seed   dataset seed
     */
    public SyntheticDataset(String split, int size, int height, int width, long seed) {
        if (size < 1 || height < 8 || width < 8) {
            throw new IllegalArgumentException("synthetic dataset needs >= 1 sample of at least 8x8 pixels, got " + size + " of " + height + "x" + width);
        }
        this.split = split;
        this.size = size;
        this.height = height;
        this.width = width;
        this.seed = seed;
    }

    @Override public String name() { return "synthetic/" + split; }
    @Override public int size() { return size; }
    @Override public List<String> classes() { return CLASSES; }
    @Override public int[][] palette() { return PALETTE; }

    @Override
    public Sample get(int index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException(name() + " has " + size + " samples, asked for " + index);
        SplittableRandom rng = new SplittableRandom(mix(seed, split.hashCode(), index));
        int h = height, w = width;
        double[][] rgb = new double[3][h * w];
        int[] label = new int[h * w];
        paintBackground(rng, rgb);
        int objects = 3 + rng.nextInt(6);
        for (int k = 0; k < objects; k++) paintObject(rng, rgb, label, 1 + rng.nextInt(CLASSES.size() - 1));
        float[] image = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                double v = rgb[c][i] + 0.06 * rng.nextGaussian();
                image[c * h * w + i] = (float) ((v - 0.5) / 0.25);
            }
        }
        return new Sample(split + "_" + index, image, label, h, w);
    }

    private void paintBackground(SplittableRandom rng, double[][] rgb) {
        double fx = 0.5 + rng.nextDouble() * 3, fy = 0.5 + rng.nextDouble() * 3, phase = rng.nextDouble() * 6.28;
        double[] base = jitter(rng, BASE[0], 0.12);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double t = 0.12 * Math.sin(fx * 6.28 * x / width + phase) * Math.cos(fy * 6.28 * y / height);
                for (int c = 0; c < 3; c++) rgb[c][y * width + x] = base[c] + t;
            }
        }
    }

    private void paintObject(SplittableRandom rng, double[][] rgb, int[] label, int cls) {
        int minDim = Math.min(height, width);
        // log-uniform radius: from 2 px to about a quarter of the image, so small and big objects both occur
        double r = Math.exp(Math.log(2) + rng.nextDouble() * (Math.log(minDim / 4.0) - Math.log(2)));
        double cx = rng.nextDouble() * width, cy = rng.nextDouble() * height;
        double angle = rng.nextDouble() * Math.PI;
        double[] color = jitter(rng, BASE[cls], 0.18);
        double stripe = 2 + rng.nextDouble() * 3;
        int x0 = Math.max(0, (int) (cx - 1.5 * r)), x1 = Math.min(width - 1, (int) (cx + 1.5 * r));
        int y0 = Math.max(0, (int) (cy - 1.5 * r)), y1 = Math.min(height - 1, (int) (cy + 1.5 * r));
        double cos = Math.cos(angle), sin = Math.sin(angle);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                double u = (dx * cos + dy * sin) / r, v = (-dx * sin + dy * cos) / r;
                double shade;
                boolean inside = switch (cls) {
                    case 1 -> u * u + v * v <= 1;
                    case 2 -> Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85;
                    case 3 -> v >= -0.6 && v <= 1.0 - 1.0 * Math.abs(u) * 1.6 && Math.abs(u) <= 1;
                    case 4 -> { double d = u * u + v * v; yield d <= 1 && d >= 0.36; }
                    default -> (u * u) / 1.4 + (v * v) / 0.6 <= 1;
                };
                if (!inside) continue;
                shade = switch (cls) {
                    case 1 -> 0.10 * (1 - Math.sqrt(u * u + v * v));   // domed
                    case 5 -> 0.16 * Math.signum(Math.sin(stripe * Math.PI * u)); // stripes
                    case 2 -> 0.05 * ((((int) Math.floor(2 * u) + (int) Math.floor(2 * v)) & 1) * 2 - 1); // checker
                    default -> 0.0;
                };
                int i = y * width + x;
                for (int c = 0; c < 3; c++) rgb[c][i] = color[c] + shade;
                label[i] = cls;
            }
        }
    }

    private static double[] jitter(SplittableRandom rng, double[] base, double spread) {
        double[] c = new double[3];
        for (int k = 0; k < 3; k++) c[k] = base[k] + spread * (rng.nextDouble() * 2 - 1);
        return c;
    }

    /** A 64-bit mix of the seed, split and index (SplitMix64 finaliser). */
    static long mix(long seed, long split, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + split * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
