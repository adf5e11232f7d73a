package adl.autograd;

import adl.backend.Backend;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/**
 * Differentiable matrix product, 2-D [M, K]·[K, N] or batched 3-D [B, M, K]·[B, K, N]
 * (torch.matmul without broadcasting). Backward: ga = g · bᵀ, gb = aᵀ · g.
 */
public final class MatmulOps {
    private MatmulOps() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        int r = a.rank();
        if ((r != 2 && r != 3) || b.rank() != r || a.dim(-1) != b.dim(-2) || (r == 3 && a.dim(0) != b.dim(0))) {
            throw new IllegalArgumentException("matmul: a " + a.shape() + " and b " + b.shape()
                    + " must be [M, K]·[K, N] or [B, M, K]·[B, K, N]");
        }
        if (a.dtype() != b.dtype()) throw new IllegalArgumentException("matmul: dtypes differ: a " + a.describe() + ", b " + b.describe());
        Shape cs = r == 2 ? Shape.of(a.dim(0), b.dim(1)) : Shape.of(a.dim(0), a.dim(1), b.dim(2));
        Backend be = Device.backendOf(a);
        Tensor ca = Tensors.contiguous(a), cb = Tensors.contiguous(b);
        Tensor c = Tensors.emptyLike(a, cs);
        be.matmul(ca, false, cb, false, c);
        if (!Node.wanted(a, b)) {
            ca.close();
            cb.close();
            return c;
        }
        return new Node("matmul", a, b) {
            final Tensor sa = b.requiresGrad() ? save(ca) : null;
            final Tensor sb = a.requiresGrad() ? save(cb) : null;

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor cg = Tensors.contiguous(g);
                Tensor ga = null, gb = null;
                if (needs[0]) {
                    ga = Tensors.emptyLike(g, a.shape());
                    backend().matmul(cg, false, sb, true, ga);
                }
                if (needs[1]) {
                    gb = Tensors.emptyLike(g, b.shape());
                    backend().matmul(sa, true, cg, false, gb);
                }
                cg.close();
                return new Tensor[] {ga, gb};
            }
        }.attach(c);
    }
}
