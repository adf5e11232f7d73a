package adl.autograd;

import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.UnaryOp;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Differentiable elementwise ops with NumPy broadcasting. Backward rules (tinygrad style, each
 * stated once): for z = a ∘ b, the gradient of a broadcast input is summed back to its shape.
 * <pre>
 *   add: ga = g,       gb = g
 *   sub: ga = g,       gb = -g
 *   mul: ga = g·b,     gb = g·a
 *   div: ga = g/b,     gb = -g·a/b²
 *   relu: gx = g·[x>0]   exp: gx = g·y   log: gx = g/x   sqrt: gx = g/(2y)   pow s: gx = g·s·x^(s-1)
 * </pre>
 */
public final class ElementwiseOps {
    private ElementwiseOps() {}

    static Backend be(Tensor t) { return Device.backendOf(t); }

    /** Raw (unrecorded) z = op(a, b) with broadcasting. */
    static Tensor binaryRaw(BinaryOp op, Tensor a, Tensor b) {
        Tensor z = Tensors.emptyLike(a, Shape.broadcast(a.shape(), b.shape()));
        be(a).binary(op, a, b, z);
        return z;
    }

    /** Raw y = op(x, s). */
    static Tensor unaryRaw(UnaryOp op, Tensor x, double s) {
        Tensor cx = x.isContiguous() ? x : Tensors.contiguousCopy(x);
        Tensor y = Tensors.emptyLike(x);
        be(x).unary(op, cx, s, y);
        return y;
    }

    /** Raw sum of g down to {@code shape} (reverse of broadcasting); g itself when shapes match. */
    static Tensor sumToRaw(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) return g;
        Tensor y = Tensors.emptyLike(g, shape);
        be(g).sumTo(g, y);
        return y;
    }

    public static Tensor add(Tensor a, Tensor b) {
        Tensor z = binaryRaw(BinaryOp.ADD, a, b);
        if (!Node.wanted(a, b)) return z;
        return new Node("add", a, b) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {needs[0] ? sumToRaw(g, a.shape()) : null, needs[1] ? sumToRaw(g, b.shape()) : null};
            }
        }.attach(z);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor z = binaryRaw(BinaryOp.SUB, a, b);
        if (!Node.wanted(a, b)) return z;
        return new Node("sub", a, b) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {
                    needs[0] ? sumToRaw(g, a.shape()) : null,
                    needs[1] ? sumToRaw(unaryRaw(UnaryOp.NEG, g, 0), b.shape()) : null};
            }
        }.attach(z);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor z = binaryRaw(BinaryOp.MUL, a, b);
        if (!Node.wanted(a, b)) return z;
        return new Node("mul", a, b) {
            final Tensor sa = b.requiresGrad() ? save(a) : null;
            final Tensor sb = a.requiresGrad() ? save(b) : null;

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {
                    needs[0] ? sumToRaw(binaryRaw(BinaryOp.MUL, g, sb), a.shape()) : null,
                    needs[1] ? sumToRaw(binaryRaw(BinaryOp.MUL, g, sa), b.shape()) : null};
            }
        }.attach(z);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor z = binaryRaw(BinaryOp.DIV, a, b);
        if (!Node.wanted(a, b)) return z;
        return new Node("div", a, b) {
            final Tensor sb = save(b);
            final Tensor sz = b.requiresGrad() ? save(z) : null;

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor ga = needs[0] || needs[1] ? binaryRaw(BinaryOp.DIV, g, sb) : null; // g / b
                Tensor gb = null;
                if (needs[1]) { // -g·a/b² = -(g/b)·z
                    gb = sumToRaw(unaryRaw(UnaryOp.NEG, binaryRaw(BinaryOp.MUL, ga, sz), 0), b.shape());
                }
                return new Tensor[] {needs[0] ? sumToRaw(ga, a.shape()) : null, gb};
            }
        }.attach(z);
    }

    public static Tensor neg(Tensor x) {
        Tensor y = unaryRaw(UnaryOp.NEG, x, 0);
        if (!Node.wanted(x)) return y;
        return new Node("neg", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {unaryRaw(UnaryOp.NEG, g, 0)};
            }
        }.attach(y);
    }

    /** y = max(x, 0); the gradient at exactly 0 is 0 (as PyTorch). */
    public static Tensor relu(Tensor x) {
        Tensor y = unaryRaw(UnaryOp.RELU, x, 0);
        if (!Node.wanted(x)) return y;
        return new Node("relu", x) {
            final Tensor sy = save(y);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {binaryRaw(BinaryOp.MASK_POSITIVE, g, sy)};
            }
        }.attach(y);
    }

    public static Tensor exp(Tensor x) {
        Tensor y = unaryRaw(UnaryOp.EXP, x, 0);
        if (!Node.wanted(x)) return y;
        return new Node("exp", x) {
            final Tensor sy = save(y);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {binaryRaw(BinaryOp.MUL, g, sy)};
            }
        }.attach(y);
    }

    public static Tensor log(Tensor x) {
        Tensor y = unaryRaw(UnaryOp.LOG, x, 0);
        if (!Node.wanted(x)) return y;
        return new Node("log", x) {
            final Tensor sx = save(x);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {binaryRaw(BinaryOp.DIV, g, sx)};
            }
        }.attach(y);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor y = unaryRaw(UnaryOp.SQRT, x, 0);
        if (!Node.wanted(x)) return y;
        return new Node("sqrt", x) {
            final Tensor sy = save(y);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {unaryRaw(UnaryOp.MUL_SCALAR, binaryRaw(BinaryOp.DIV, g, sy), 0.5)};
            }
        }.attach(y);
    }

    /** y = x + s. */
    public static Tensor addScalar(Tensor x, double s) {
        Tensor y = unaryRaw(UnaryOp.ADD_SCALAR, x, s);
        if (!Node.wanted(x)) return y;
        return new Node("add_scalar", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) { return new Tensor[] {g}; }
        }.attach(y);
    }

    /** y = x · s. */
    public static Tensor mulScalar(Tensor x, double s) {
        Tensor y = unaryRaw(UnaryOp.MUL_SCALAR, x, s);
        if (!Node.wanted(x)) return y;
        return new Node("mul_scalar", x) {
            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                return new Tensor[] {unaryRaw(UnaryOp.MUL_SCALAR, g, s)};
            }
        }.attach(y);
    }

    /** y = x^s. */
    public static Tensor powScalar(Tensor x, double s) {
        Tensor y = unaryRaw(UnaryOp.POW_SCALAR, x, s);
        if (!Node.wanted(x)) return y;
        return new Node("pow_scalar", x) {
            final Tensor sx = save(x);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor d = unaryRaw(UnaryOp.MUL_SCALAR, unaryRaw(UnaryOp.POW_SCALAR, sx, s - 1), s);
                return new Tensor[] {binaryRaw(BinaryOp.MUL, g, d)};
            }
        }.attach(y);
    }
}
