package adl.autograd;

import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient checks (F64 central differences) of conv2d and matmul for every geometry the engine uses. */
class ConvGradTest {
    static Tensor rand(long seed, int... dims) {
        return Scope.untracked(() -> Tensors.uniform(Device.CPU, DType.F64, Shape.of(dims), seed, -1, 1));
    }

    static void checkConv(String name, int n, int cin, int cout, int h, int w, int k, ConvParams p, boolean bias) {
        Tensor x = rand(1, n, cin, h, w), wt = rand(2, cout, cin / p.groups(), k, k);
        GradCheck.Report r = bias
                ? GradCheck.check(name, t -> ConvOps.conv2d(t[0], t[1], t[2], p), x, wt, rand(3, cout))
                : GradCheck.check(name, t -> ConvOps.conv2d(t[0], t[1], null, p), x, wt);
        assertTrue(r.ok(), r.toString());
    }

    @Test void plain3x3() { checkConv("plain 3x3", 2, 3, 4, 5, 6, 3, ConvParams.of(1, 1, 1, 1), false); }

    @Test void stride2WithPadding() { checkConv("3x3 stride 2 pad 1", 2, 3, 4, 6, 7, 3, ConvParams.of(2, 1, 1, 1), false); }

    @Test void stride2OddSize() {
        ConvParams p = ConvParams.of(2, 1, 1, 1);
        assertEquals(4, p.outH(7, 3));
        assertEquals(5, p.outW(9, 3));
        checkConv("3x3 stride 2 on 7x9 -> 4x5", 2, 2, 3, 7, 9, 3, p, false);
    }

    @Test void dilation2() { checkConv("3x3 dilation 2", 2, 3, 2, 7, 6, 3, ConvParams.of(1, 2, 2, 1), false); }

    @Test void groups2() { checkConv("groups 2", 2, 4, 6, 5, 5, 3, ConvParams.of(1, 1, 1, 2), false); }

    @Test void depthwise3x3() { checkConv("depthwise 3x3", 2, 3, 3, 5, 6, 3, ConvParams.of(1, 1, 1, 3), false); }

    @Test void depthwise5x5() { checkConv("depthwise 5x5", 2, 3, 3, 6, 5, 5, ConvParams.of(1, 2, 1, 3), false); }

    @Test void dilatedDepthwise() {
        checkConv("depthwise 3x3 dilation 2", 2, 3, 3, 6, 7, 3, ConvParams.of(1, 2, 2, 3), false);
        checkConv("depthwise 5x5 dilation 2", 2, 2, 2, 7, 6, 5, ConvParams.of(1, 4, 2, 2), false);
    }

    @Test void depthwiseStride2AndMultiplier() {
        checkConv("depthwise 3x3 stride 2", 2, 3, 3, 7, 6, 3, ConvParams.of(2, 1, 1, 3), false);
        checkConv("depthwise multiplier 2", 2, 2, 4, 5, 5, 3, ConvParams.of(1, 1, 1, 2), false);
    }

    @Test void pointwise1x1() {
        checkConv("1x1", 2, 4, 5, 4, 5, 1, ConvParams.of(1, 0, 1, 1), false);
        checkConv("1x1 stride 2", 2, 3, 2, 5, 5, 1, ConvParams.of(2, 0, 1, 1), false);
    }

    @Test void withBias() { checkConv("3x3 with bias", 2, 3, 4, 5, 5, 3, ConvParams.of(1, 1, 1, 1), true); }

    @Test void asymmetricGeometry() {
        Tensor x = rand(4, 2, 2, 6, 7), wt = rand(5, 3, 2, 3, 2);
        ConvParams p = new ConvParams(2, 1, 1, 0, 1, 2, 1);
        GradCheck.Report r = GradCheck.check("kh != kw, stride/pad/dilation per axis", t -> ConvOps.conv2d(t[0], t[1], null, p), x, wt);
        assertTrue(r.ok(), r.toString());
    }

    @Test void badShapesAreNamed() {
        Tensor x = rand(9, 1, 3, 4, 4), wt = rand(10, 2, 2, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(x, wt, null, ConvParams.of(1, 1, 1, 1)));
        assertTrue(e.getMessage().contains("[1, 3, 4, 4]") && e.getMessage().contains("[2, 2, 3, 3]"), e.getMessage());
    }

    /** The backward of matmul runs the transposed products (g·bᵀ, aᵀ·g) of the backend. */
    @Test void matmul2d() {
        GradCheck.Report r = GradCheck.check("matmul 2-D", t -> MatmulOps.matmul(t[0], t[1]), rand(11, 3, 5), rand(12, 5, 4));
        assertTrue(r.ok(), r.toString());
    }

    @Test void matmulBatched() {
        GradCheck.Report r = GradCheck.check("matmul 3-D", t -> MatmulOps.matmul(t[0], t[1]), rand(13, 2, 3, 5), rand(14, 2, 5, 4));
        assertTrue(r.ok(), r.toString());
    }
}
