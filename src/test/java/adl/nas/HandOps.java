package adl.nas;

import adl.backend.Tensors;
import adl.tensor.Tensor;

/**
 * The oracle of the equation tests: PyTorch's definitions of the few ops a search cell is made
 * of, written out as plain loops over NCHW doubles (no engine kernel involved), so that an
 * expected value is computed by hand, never by the code under test.
 */
final class HandOps {
    private HandOps() {}

    /** An NCHW array. */
    record T(int n, int c, int h, int w, double[] v) {
        double at(int i, int j, int y, int x) { return v[((i * c + j) * h + y) * w + x]; }
        int index(int i, int j, int y, int x) { return ((i * c + j) * h + y) * w + x; }
    }

    static T of(Tensor t) { return new T(t.dim(0), t.dim(1), t.dim(2), t.dim(3), Tensors.toDoubles(t)); }

    static T zerosLike(T x) { return new T(x.n(), x.c(), x.h(), x.w(), new double[x.v().length]); }

    static T relu(T x) {
        double[] y = x.v().clone();
        for (int i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]);
        return new T(x.n(), x.c(), x.h(), x.w(), y);
    }

    /** torch.nn.functional.conv2d without bias; {@code weight} is [out, in/groups, k, k]. */
    static T conv(T x, Tensor weight, int stride, int pad, int dilation, int groups) {
        int out = weight.dim(0), perGroup = weight.dim(1), k = weight.dim(2);
        double[] wv = Tensors.toDoubles(weight);
        int ho = (x.h() + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        int wo = (x.w() + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        T y = new T(x.n(), out, ho, wo, new double[x.n() * out * ho * wo]);
        int outPerGroup = out / groups;
        for (int i = 0; i < x.n(); i++) {
            for (int o = 0; o < out; o++) {
                int g = o / outPerGroup;
                for (int yy = 0; yy < ho; yy++) {
                    for (int xx = 0; xx < wo; xx++) {
                        double s = 0;
                        for (int ci = 0; ci < perGroup; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int sy = yy * stride - pad + ky * dilation, sx = xx * stride - pad + kx * dilation;
                                    if (sy < 0 || sy >= x.h() || sx < 0 || sx >= x.w()) continue;
                                    s += wv[((o * perGroup + ci) * k + ky) * k + kx] * x.at(i, g * perGroup + ci, sy, sx);
                                }
                            }
                        }
                        y.v()[y.index(i, o, yy, xx)] = s;
                    }
                }
            }
        }
        return y;
    }

    /** BatchNorm2d in training mode without affine: (x − mean_c) / sqrt(var_c + eps), biased variance over N, H, W. */
    static T batchNorm(T x, double eps) {
        double[] y = new double[x.v().length];
        double m = (double) x.n() * x.h() * x.w();
        for (int j = 0; j < x.c(); j++) {
            double mean = 0, var = 0;
            for (int i = 0; i < x.n(); i++) for (int a = 0; a < x.h(); a++) for (int b = 0; b < x.w(); b++) mean += x.at(i, j, a, b);
            mean /= m;
            for (int i = 0; i < x.n(); i++) for (int a = 0; a < x.h(); a++) for (int b = 0; b < x.w(); b++) var += Math.pow(x.at(i, j, a, b) - mean, 2);
            var /= m;
            for (int i = 0; i < x.n(); i++) for (int a = 0; a < x.h(); a++) for (int b = 0; b < x.w(); b++) {
                y[x.index(i, j, a, b)] = (x.at(i, j, a, b) - mean) / Math.sqrt(var + eps);
            }
        }
        return new T(x.n(), x.c(), x.h(), x.w(), y);
    }

    /** 3×3 window, stride 1, padding 1: max (padding never wins) or mean over the in-image cells (count_include_pad false). */
    static T pool3x3(T x, boolean max) {
        double[] y = new double[x.v().length];
        for (int i = 0; i < x.n(); i++) for (int j = 0; j < x.c(); j++) for (int a = 0; a < x.h(); a++) for (int b = 0; b < x.w(); b++) {
            double best = Double.NEGATIVE_INFINITY, sum = 0;
            int count = 0;
            for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) {
                int sy = a + dy, sx = b + dx;
                if (sy < 0 || sy >= x.h() || sx < 0 || sx >= x.w()) continue;
                best = Math.max(best, x.at(i, j, sy, sx));
                sum += x.at(i, j, sy, sx);
                count++;
            }
            y[x.index(i, j, a, b)] = max ? best : sum / count;
        }
        return new T(x.n(), x.c(), x.h(), x.w(), y);
    }

    /** Bilinear resize, align_corners false (PyTorch: source = (dst + 0.5)·in/out − 0.5, clamped at 0). */
    static T bilinear(T x, int ho, int wo) {
        T y = new T(x.n(), x.c(), ho, wo, new double[x.n() * x.c() * ho * wo]);
        for (int a = 0; a < ho; a++) {
            double sy = Math.max(0, (a + 0.5) * x.h() / ho - 0.5);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, x.h() - 1);
            double ly = sy - y0;
            for (int b = 0; b < wo; b++) {
                double sx = Math.max(0, (b + 0.5) * x.w() / wo - 0.5);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, x.w() - 1);
                double lx = sx - x0;
                for (int i = 0; i < x.n(); i++) for (int j = 0; j < x.c(); j++) {
                    y.v()[y.index(i, j, a, b)] = (1 - ly) * ((1 - lx) * x.at(i, j, y0, x0) + lx * x.at(i, j, y0, x1))
                            + ly * ((1 - lx) * x.at(i, j, y1, x0) + lx * x.at(i, j, y1, x1));
                }
            }
        }
        return y;
    }
}
