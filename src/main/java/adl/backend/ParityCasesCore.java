package adl.backend;

import adl.backend.Parity.Case;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.List;

/**
 * Parity cases for data movement, elementwise ops, sumTo, matmul, softmax, cross-entropy, the
 * weighted sum and the optimizer steps. Every primitive gets only inputs made by the env (never
 * another primitive's output), so one broken primitive fails only its own checks.
 */
final class ParityCasesCore {
    private ParityCasesCore() {}

    /** Elementwise: one rounding step. */
    static final double EW_ATOL = 1e-6, EW_RTOL = 1e-5;
    /** Reductions over tens to hundreds of elements, in any order. */
    static final double RED_ATOL = 1e-5, RED_RTOL = 1e-4;
    /** Products summed over K (matmul, convolution). */
    static final double MM_ATOL = 1e-4, MM_RTOL = 1e-3;

    static void addTo(List<Case> cs) {
        cs.add(new Case("copy.strided", 0, 0, e -> {
            Tensor base = e.rand(3, 5, 7);
            Tensor permuted = Tensors.view(base, Shape.of(7, 3, 5), new long[] {1, 35, 7}, 0);
            Tensor dst = e.out(7, 3, 5);
            e.b.copy(permuted, dst);
            Tensor sliced = Tensors.view(base, Shape.of(2, 5, 3), new long[] {35, 7, 2}, 36);
            Tensor dst2 = e.out(2, 5, 3);
            e.b.copy(sliced, dst2);
            Tensor buf = e.rand(4, 10), src = e.rand(4, 5);
            e.b.copy(src, Tensors.view(buf, Shape.of(4, 5), new long[] {10, 2}, 1));
            return new Tensor[] {dst, dst2, buf};
        }));
        cs.add(new Case("fill", 0, 0, e -> {
            Tensor a = e.out(3, 5, 7), b = e.out(1);
            e.b.fill(a, 0.7);
            e.b.fill(b, -2.5);
            return new Tensor[] {a, b};
        }));
        cs.add(new Case("write.read", 0, 0, e -> {
            Tensor a = e.rand(5, 13);
            Tensor column = Tensors.view(a, Shape.of(5), new long[] {13}, 4);
            return new Tensor[] {a, column, e.labels(19, 0.2, 255, 3, 7)};
        }));
        for (UnaryOp op : UnaryOp.values()) {
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW_SCALAR || op == UnaryOp.RECIPROCAL;
            double scalar = switch (op) {
                case ADD_SCALAR -> 0.3;
                case MUL_SCALAR -> -1.7;
                case POW_SCALAR -> 1.5;
                default -> 0;
            };
            cs.add(new Case("unary." + op, EW_ATOL, EW_RTOL, e -> {
                Tensor x = positive ? e.uniform(0.5, 2, 3, 17, 5) : e.rand(3, 17, 5), y = e.out(3, 17, 5);
                e.b.unary(op, x, scalar, y);
                return new Tensor[] {y};
            }));
        }
        cs.add(new Case("unary.RELU.inplace", EW_ATOL, EW_RTOL, e -> {
            Tensor x = e.rand(4, 9);
            e.b.unary(UnaryOp.RELU, x, 0, x);
            return new Tensor[] {x};
        }));
        for (BinaryOp op : BinaryOp.values()) {
            cs.add(new Case("binary." + op + ".broadcast", EW_ATOL, EW_RTOL, e -> {
                Tensor a = e.rand(4, 1, 5), b = op == BinaryOp.DIV ? e.uniform(0.5, 2, 3, 1) : e.rand(3, 1);
                Tensor z = e.out(4, 3, 5), a2 = e.rand(2, 3, 5), z2 = e.out(2, 3, 5);
                e.b.binary(op, a, b, z);
                e.b.binary(op, a2, op == BinaryOp.DIV ? e.uniform(0.5, 2, 2, 3, 5) : e.rand(2, 3, 5), z2);
                return new Tensor[] {z, z2};
            }));
        }
        cs.add(new Case("sumTo", RED_ATOL, RED_RTOL, e -> {
            Tensor x = e.rand(4, 3, 5), y1 = e.out(1, 3, 1), y2 = e.out(5), y3 = e.out(4, 1, 5);
            e.b.sumTo(x, y1);
            e.b.sumTo(x, y2);
            e.b.sumTo(x, y3);
            return new Tensor[] {y1, y2, y3};
        }));
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            cs.add(new Case("matmul." + (ta ? "t" : "n") + (tb ? "t" : "n"), MM_ATOL, MM_RTOL, e -> {
                int m = 7, k = 9, n = 5;
                Tensor a = ta ? e.rand(k, m) : e.rand(m, k), b = tb ? e.rand(n, k) : e.rand(k, n), c = e.out(m, n);
                e.b.matmul(a, ta, b, tb, c);
                return new Tensor[] {c};
            }));
        }
        cs.add(new Case("matmul.batched.nt", MM_ATOL, MM_RTOL, e -> {
            Tensor a = e.rand(3, 7, 9), b = e.rand(3, 5, 9), c = e.out(3, 7, 5);
            e.b.matmul(a, false, b, true, c);
            return new Tensor[] {c};
        }));
        for (boolean log : new boolean[] {false, true}) {
            String kind = log ? "logSoftmax" : "softmax";
            cs.add(new Case(kind + ".forward", RED_ATOL, RED_RTOL, e -> {
                Tensor x = e.rand(2, 5, 3, 4), y = e.out(2, 5, 3, 4), a = e.rand(14, 8), ya = e.out(14, 8);
                e.b.softmax(x, 1, log, y);
                e.b.softmax(a, 1, log, ya);
                return new Tensor[] {y, ya};
            }));
            cs.add(new Case(kind + ".backward", RED_ATOL, RED_RTOL, e -> {
                Tensor y = log ? e.uniform(-3, -0.5, 2, 5, 3, 4) : e.uniform(0.05, 0.5, 2, 5, 3, 4);
                Tensor gy = e.rand(2, 5, 3, 4), gx = e.out(2, 5, 3, 4);
                e.b.softmaxBackward(y, gy, 1, log, gx);
                return new Tensor[] {gx};
            }));
        }
        cs.add(new Case("crossEntropy.forward.ignore", RED_ATOL, RED_RTOL, e -> {
            Tensor logits = e.rand(2, 5, 7, 9), labels = e.labels(5, 0.2, 255, 2, 7, 9), loss = e.out(1);
            e.b.crossEntropy(logits, labels, 255, loss);
            return new Tensor[] {loss};
        }));
        cs.add(new Case("crossEntropy.backward.ignore", RED_ATOL, RED_RTOL, e -> {
            Tensor logits = e.rand(2, 5, 7, 9), labels = e.labels(5, 0.2, 255, 2, 7, 9);
            Tensor scale = e.uniform(0.5, 1.5, 1), gx = e.out(2, 5, 7, 9);
            e.b.crossEntropyBackward(logits, labels, 255, scale, gx);
            return new Tensor[] {gx};
        }));
        for (int k : new int[] {7, 3}) {
            cs.add(new Case("weightedSum.forward.K" + k, RED_ATOL, RED_RTOL, e -> {
                Tensor[] xs = new Tensor[k];
                for (int i = 0; i < k; i++) xs[i] = e.rand(2, 3, 5, 7);
                Tensor w = e.rand(k), out = e.out(2, 3, 5, 7);
                e.b.weightedSum(xs, w, out);
                return new Tensor[] {out};
            }));
            cs.add(new Case("weightedSum.backward.K" + k, RED_ATOL, RED_RTOL, e -> {
                Tensor[] xs = new Tensor[k], gxs = new Tensor[k];
                for (int i = 0; i < k; i++) xs[i] = e.rand(2, 3, 5, 7);
                for (int i = 0; i < k; i++) gxs[i] = i == 1 ? null : e.out(2, 3, 5, 7); // one gradient not wanted
                Tensor w = e.rand(k), gy = e.rand(2, 3, 5, 7), gw = e.out(k);
                e.b.weightedSumBackward(xs, w, gy, gxs, gw);
                Tensor[] outs = new Tensor[k];
                outs[0] = gw;
                for (int i = 0, j = 1; i < k; i++) if (gxs[i] != null) outs[j++] = gxs[i];
                return outs;
            }));
        }
        addOptimizers(cs);
    }

    private static void addOptimizers(List<Case> cs) {
        record Sgd(String name, boolean nesterov, boolean first) {}
        for (Sgd v : List.of(new Sgd("sgd.firstStep", false, true), new Sgd("sgd.momentum", false, false),
                new Sgd("sgd.nesterov", true, false))) {
            cs.add(new Case(v.name(), EW_ATOL, EW_RTOL, e -> {
                Tensor p = e.rand(37), g = e.rand(37), buf = e.rand(37);
                e.b.sgdStep(p, g, buf, 0.1, 0.9, 3e-4, v.nesterov(), v.first());
                return new Tensor[] {p, buf};
            }));
        }
        for (long step : new long[] {1, 7}) {
            cs.add(new Case("adam.step" + step, EW_ATOL, EW_RTOL, e -> {
                Tensor p = e.rand(37), g = e.rand(37), m = e.rand(37), v = e.uniform(0.01, 1, 37);
                e.b.adamStep(p, g, m, v, step, 3e-3, 0.9, 0.999, 1e-8, 1e-3);
                return new Tensor[] {p, m, v};
            }));
        }
    }
}
