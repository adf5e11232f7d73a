package adl.backend;

import adl.backend.Parity.Case;
import adl.tensor.Tensor;

import java.util.List;

import static adl.backend.ParityCasesCore.MM_ATOL;
import static adl.backend.ParityCasesCore.MM_RTOL;
import static adl.backend.ParityCasesCore.RED_ATOL;
import static adl.backend.ParityCasesCore.RED_RTOL;

/**
 * Parity cases for convolution (forward, backward data, backward filter on odd sizes), batch norm,
 * pooling and bilinear resize. Inputs come only from the env, as in {@link ParityCasesCore}.
 */
final class ParityCasesNn {
    private ParityCasesNn() {}

    /** One convolution geometry: x [n, cin, h, w], w [cout, cin/groups, kh, kw]. */
    private record Conv(String name, int n, int cin, int cout, int h, int w, int kh, int kw, ConvParams p) {}

    private static final List<Conv> CONVS = List.of(
            new Conv("plain", 2, 3, 5, 9, 11, 3, 3, ConvParams.of(1, 1, 1, 1)),
            new Conv("strided", 2, 4, 6, 11, 9, 3, 3, ConvParams.of(2, 1, 1, 1)),
            new Conv("dilated", 1, 4, 5, 13, 11, 3, 3, ConvParams.of(1, 2, 2, 1)),
            new Conv("depthwise", 2, 6, 6, 9, 11, 5, 5, ConvParams.of(1, 2, 1, 6)),
            new Conv("depthwise.dilated.strided", 2, 6, 6, 11, 13, 3, 3, ConvParams.of(2, 2, 2, 6)),
            new Conv("grouped", 2, 4, 6, 7, 9, 3, 3, ConvParams.of(1, 1, 1, 2)),
            new Conv("1x1", 2, 5, 7, 9, 11, 1, 1, ConvParams.of(1, 0, 1, 1)));

    static void addTo(List<Case> cs) {
        for (Conv c : CONVS) {
            int ho = c.p().outH(c.h(), c.kh()), wo = c.p().outW(c.w(), c.kw()), cing = c.cin() / c.p().groups();
            cs.add(new Case("conv2d." + c.name() + ".forward", MM_ATOL, MM_RTOL, e -> {
                Tensor x = e.rand(c.n(), c.cin(), c.h(), c.w()), w = e.rand(c.cout(), cing, c.kh(), c.kw());
                Tensor y = e.out(c.n(), c.cout(), ho, wo);
                e.b.conv2dForward(x, w, c.p(), y);
                return new Tensor[] {y};
            }));
            cs.add(new Case("conv2d." + c.name() + ".backwardData", MM_ATOL, MM_RTOL, e -> {
                Tensor gy = e.rand(c.n(), c.cout(), ho, wo), w = e.rand(c.cout(), cing, c.kh(), c.kw());
                Tensor gx = e.out(c.n(), c.cin(), c.h(), c.w());
                e.b.conv2dBackwardData(gy, w, c.p(), gx);
                return new Tensor[] {gx};
            }));
            cs.add(new Case("conv2d." + c.name() + ".backwardFilter", MM_ATOL, MM_RTOL, e -> {
                Tensor x = e.rand(c.n(), c.cin(), c.h(), c.w()), gy = e.rand(c.n(), c.cout(), ho, wo);
                Tensor gw = e.out(c.cout(), cing, c.kh(), c.kw());
                e.b.conv2dBackwardFilter(x, gy, c.p(), gw);
                return new Tensor[] {gw};
            }));
        }
        addBatchNorm(cs);
        addPooling(cs);
        addResize(cs);
    }

    private static void addBatchNorm(List<Case> cs) {
        int n = 3, c = 4, h = 5, w = 7;
        for (boolean affine : new boolean[] {true, false}) {
            String tag = affine ? ".affine" : ".plain";
            cs.add(new Case("batchNorm.train" + tag, RED_ATOL, RED_RTOL, e -> {
                Tensor x = e.rand(n, c, h, w), gamma = affine ? e.uniform(0.5, 1.5, c) : null, beta = affine ? e.rand(c) : null;
                // without affine, also without running statistics (both may be null)
                Tensor rm = affine ? e.rand(c) : null, rv = affine ? e.uniform(0.5, 2, c) : null;
                Tensor y = e.out(n, c, h, w), mean = e.out(c), invStd = e.out(c);
                e.b.batchNormTrain(x, gamma, beta, rm, rv, 0.1, 1e-5, y, mean, invStd);
                return affine ? new Tensor[] {y, mean, invStd, rm, rv} : new Tensor[] {y, mean, invStd};
            }));
            cs.add(new Case("batchNorm.eval" + tag, RED_ATOL, RED_RTOL, e -> {
                Tensor x = e.rand(n, c, h, w), gamma = affine ? e.uniform(0.5, 1.5, c) : null, beta = affine ? e.rand(c) : null;
                Tensor rm = e.rand(c), rv = e.uniform(0.5, 2, c), y = e.out(n, c, h, w);
                e.b.batchNormEval(x, gamma, beta, rm, rv, 1e-5, y);
                return new Tensor[] {y};
            }));
            cs.add(new Case("batchNorm.backward" + tag, RED_ATOL, RED_RTOL, e -> {
                Tensor x = e.rand(n, c, h, w), gy = e.rand(n, c, h, w), gamma = affine ? e.uniform(0.5, 1.5, c) : null;
                Tensor mean = e.rand(c), invStd = e.uniform(0.5, 2, c), gx = e.out(n, c, h, w);
                Tensor ggamma = affine ? e.out(c) : null, gbeta = affine ? e.out(c) : null;
                e.b.batchNormTrainBackward(x, gy, gamma, mean, invStd, gx, ggamma, gbeta);
                return affine ? new Tensor[] {gx, ggamma, gbeta} : new Tensor[] {gx};
            }));
        }
    }

    private static void addPooling(List<Case> cs) {
        PoolParams max = new PoolParams(3, 2, 1, false);
        int ho = max.outSize(9), wo = max.outSize(11);
        cs.add(new Case("maxPool.forward", 0, 0, e -> {
            Tensor x = e.rand(2, 3, 9, 11), y = e.out(2, 3, ho, wo);
            e.b.maxPoolForward(x, max, y);
            return new Tensor[] {y};
        }));
        cs.add(new Case("maxPool.backward", RED_ATOL, RED_RTOL, e -> {
            Tensor x = e.rand(2, 3, 9, 11), gy = e.rand(2, 3, ho, wo), gx = e.out(2, 3, 9, 11);
            e.b.maxPoolBackward(x, gy, max, gx);
            return new Tensor[] {gx};
        }));
        for (boolean includePad : new boolean[] {false, true}) {
            PoolParams p = new PoolParams(3, includePad ? 1 : 2, 1, includePad);
            int pho = p.outSize(9), pwo = p.outSize(11);
            String tag = includePad ? ".countIncludePad" : ".excludePad";
            cs.add(new Case("avgPool" + tag + ".forward", RED_ATOL, RED_RTOL, e -> {
                Tensor x = e.rand(2, 3, 9, 11), y = e.out(2, 3, pho, pwo);
                e.b.avgPoolForward(x, p, y);
                return new Tensor[] {y};
            }));
            cs.add(new Case("avgPool" + tag + ".backward", RED_ATOL, RED_RTOL, e -> {
                Tensor gy = e.rand(2, 3, pho, pwo), gx = e.out(2, 3, 9, 11);
                e.b.avgPoolBackward(gy, p, gx);
                return new Tensor[] {gx};
            }));
        }
    }

    private static void addResize(List<Case> cs) {
        record Size(String name, int ho, int wo) {}
        for (boolean alignCorners : new boolean[] {false, true}) {
            for (Size s : List.of(new Size("up", 13, 17), new Size("down", 4, 5))) {
                String tag = "resize." + s.name() + ".alignCorners=" + alignCorners;
                cs.add(new Case(tag + ".forward", RED_ATOL, RED_RTOL, e -> {
                    Tensor x = e.rand(2, 3, 7, 9), y = e.out(2, 3, s.ho(), s.wo());
                    e.b.resizeBilinear(x, alignCorners, y);
                    return new Tensor[] {y};
                }));
                cs.add(new Case(tag + ".backward", RED_ATOL, RED_RTOL, e -> {
                    Tensor gy = e.rand(2, 3, s.ho(), s.wo()), gx = e.out(2, 3, 7, 9);
                    e.b.resizeBilinearBackward(gy, alignCorners, gx);
                    return new Tensor[] {gx};
                }));
            }
        }
    }
}
