package adl.train.eval;

import adl.autograd.ElementwiseOps;
import adl.autograd.GradMode;
import adl.autograd.ResizeOps;
import adl.autograd.SoftmaxOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Module;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.List;

/**
 * Dense prediction at the original image size (docs/06-retrain.md §5), with optional
 * multi-scale and left-right flip averaging as DeepLab evaluates:
 * <pre>
 *   for each scale s (in order), for the image and (if flip) its mirror:
 *     x_s = bilinear(x, round(H·s), round(W·s))           align_corners = false; s = 1 is x itself
 *     p_s = bilinear(softmax_C(net(x_s)), H, W)          the mirror's p_s is mirrored back
 *   probabilities = Σ p_s / (number of scales · (flip ? 2 : 1))
 * </pre>
 * The network runs without gradients, in evaluation mode (the constructor switches the module to
 * it); everything made for one scale is freed before the next (one {@link Scope} per view). The
 * network may return logits at any spatial size; they are resized to H×W after the softmax.
 * Sums are taken in a fixed order (scales in the given order, unmirrored views first), so results
 * are deterministic.
 */
public final class Inference {
    private final Module net;
    private final Device device;
    private final double[] scales;
    private final boolean flip;

    /**
     * @param net    maps x [N, 3, h, w] F32 to logits [N, C, h', w'] on {@code device}
     * @param scales input scales, each finite and > 0 (DeepLab multi-scale: 0.5 … 1.75); [1.0] = single scale
     * @param flip   also run the left-right mirror of every scale and average it in
     */
    public Inference(Module net, Device device, List<Double> scales, boolean flip) {
        if (scales.isEmpty()) throw new IllegalArgumentException("inference needs at least one scale");
        this.scales = new double[scales.size()];
        for (int i = 0; i < this.scales.length; i++) {
            double s = scales.get(i);
            if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("inference scale " + s + " must be finite and > 0");
            this.scales[i] = s;
        }
        this.net = net;
        this.device = device;
        this.flip = flip;
        net.eval();
    }

    /** Single scale, no flip. */
    public Inference(Module net, Device device) { this(net, device, List.of(1.0), false); }

    public Device device() { return device; }

    /** Output size for input size n at scale s: round(n·s), at least 1. */
    public static int scaledSize(int n, double s) { return (int) Math.max(1, Math.round(n * s)); }

    /** image: [3, H, W] channel-major ({@code Sample.image()} layout) → probabilities [1, C, H, W]. */
    public ClassProbabilities probabilities(float[] image, int height, int width) {
        if (image.length != 3 * height * width) {
            throw new IllegalArgumentException("image has " + image.length + " values, expected 3x" + height + "x" + width);
        }
        double[] v = new double[image.length];
        for (int i = 0; i < v.length; i++) v[i] = image[i];
        try (Scope s = Scope.open()) {
            return probabilities(Tensors.of(device, DType.F32, Shape.of(1, 3, height, width), v));
        }
    }

    /** Per-pixel class ids [H, W] of one image ([3, H, W] channel-major). */
    public int[] predict(float[] image, int height, int width) { return probabilities(image, height, width).argmax(); }

    /** images: [N, 3, H, W] F32 on this device → probabilities [N, C, H, W] (host). The caller keeps ownership of images. */
    public ClassProbabilities probabilities(Tensor images) {
        if (images.rank() != 4) throw new IllegalArgumentException("inference expects images [N, 3, H, W], got " + images.shape());
        int n = images.dim(0), h = images.dim(2), w = images.dim(3);
        try (GradMode.Guard off = GradMode.off(); Scope outer = Scope.open()) {
            Tensor mirrored = flip ? Tensors.of(device, images.dtype(), images.shape(), mirror(Tensors.toDoubles(images), w)) : null;
            Tensor plainSum = null, flipSum = null;
            for (double s : scales) {
                plainSum = accumulate(plainSum, images, s, h, w);
                if (flip) flipSum = accumulate(flipSum, mirrored, s, h, w);
            }
            double[] p = Tensors.toDoubles(plainSum);
            double[] q = flip ? mirror(Tensors.toDoubles(flipSum), w) : null;
            int views = scales.length * (flip ? 2 : 1);
            float[] out = new float[p.length];
            for (int i = 0; i < p.length; i++) out[i] = (float) ((flip ? p[i] + q[i] : p[i]) / views);
            return new ClassProbabilities(out, n, plainSum.dim(1), h, w);
        }
    }

    /** Per-pixel class ids [N, H, W] of images [N, 3, H, W]. */
    public int[] predict(Tensor images) { return probabilities(images).argmax(); }

    /** sum + (probabilities of x at scale s, at h×w); frees the old sum and every intermediate. */
    private Tensor accumulate(Tensor sum, Tensor x, double s, int h, int w) {
        Tensor next;
        try (Scope view = Scope.open()) {
            int sh = scaledSize(h, s), sw = scaledSize(w, s);
            Tensor xs = sh == h && sw == w ? x : ResizeOps.bilinear(x, sh, sw, false);
            Tensor logits = net.forward(xs);
            if (logits.rank() != 4 || logits.dim(0) != x.dim(0)) {
                throw new IllegalStateException("network returned " + logits.shape() + " for input " + xs.shape() + ", expected [N, C, h, w]");
            }
            Tensor p = SoftmaxOps.softmax(logits, 1);
            if (p.dim(2) != h || p.dim(3) != w) p = ResizeOps.bilinear(p, h, w, false);
            if (sum != null && sum.dim(1) != p.dim(1)) {
                throw new IllegalStateException("network returned " + p.dim(1) + " classes at scale " + s + ", " + sum.dim(1) + " before");
            }
            next = view.keep(sum == null ? p : ElementwiseOps.add(sum, p));
        }
        if (sum != null) sum.close();
        return next;
    }

    /** Mirrors every row of a row-major [..., W] array left-right. */
    static double[] mirror(double[] v, int w) {
        double[] out = new double[v.length];
        for (int row = 0; row < v.length; row += w) {
            for (int x = 0; x < w; x++) out[row + x] = v[row + w - 1 - x];
        }
        return out;
    }
}
