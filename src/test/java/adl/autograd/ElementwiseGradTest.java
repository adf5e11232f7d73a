package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ElementwiseGradTest {
    static Tensor rand(long seed, double lo, double hi, int... dims) {
        return Scope.untracked(() -> Tensors.uniform(Device.CPU, DType.F64, Shape.of(dims), seed, lo, hi));
    }

    static void check(String name, Function<Tensor[], Tensor> f, Tensor... xs) {
        GradCheck.Report r = GradCheck.check(name, f, xs);
        assertTrue(r.ok(), r.toString());
    }

    @Test void addSubMulDivWithBroadcasting() {
        Tensor a = rand(1, 0.5, 2, 2, 3, 4), b = rand(2, 0.5, 2, 3, 1), c = rand(3, 0.5, 2, 4);
        check("add", x -> ElementwiseOps.add(x[0], x[1]), a, b);
        check("sub", x -> ElementwiseOps.sub(x[0], x[1]), a, c);
        check("mul", x -> ElementwiseOps.mul(x[0], x[1]), a, b);
        check("div", x -> ElementwiseOps.div(x[0], x[1]), a, c);
        check("div broadcast both", x -> ElementwiseOps.div(x[0], x[1]), b, c);
    }

    @Test void unaryOps() {
        Tensor p = rand(4, 0.3, 2, 3, 5);
        Tensor s = rand(5, -1, 1, 3, 5);
        check("exp", x -> ElementwiseOps.exp(x[0]), s);
        check("log", x -> ElementwiseOps.log(x[0]), p);
        check("sqrt", x -> ElementwiseOps.sqrt(x[0]), p);
        check("neg", x -> ElementwiseOps.neg(x[0]), s);
        check("add_scalar", x -> ElementwiseOps.addScalar(x[0], 0.7), s);
        check("mul_scalar", x -> ElementwiseOps.mulScalar(x[0], -1.3), s);
        check("pow_scalar", x -> ElementwiseOps.powScalar(x[0], 2.5), p);
    }

    @Test void reluAwayFromZero() {
        // keep every element at least 0.1 away from the kink
        Tensor s = rand(6, 0.1, 1, 4, 6);
        double[] v = Tensors.toDoubles(s);
        for (int i = 0; i < v.length; i += 2) v[i] = -v[i];
        Device.CPU.backend().write(s, v);
        check("relu", x -> ElementwiseOps.relu(x[0]), s);
    }

    @Test void reductionsAndShapes() {
        Tensor a = rand(7, -1, 1, 2, 3, 4);
        check("sum axes", x -> ReduceOps.sum(x[0], false, 0, 2), a);
        check("sum keep", x -> ReduceOps.sum(x[0], true, 1), a);
        check("mean all", x -> ReduceOps.meanAll(x[0]), a);
        check("reshape", x -> ShapeOps.reshape(ElementwiseOps.exp(x[0]), 6, 4), a);
        check("broadcast", x -> ShapeOps.broadcast(x[0], Shape.of(2, 2, 3, 4)), a);
        Tensor b = rand(8, -1, 1, 2, 5, 4);
        check("concat", x -> ShapeOps.concat(1, x[0], x[1]), a, b);
        check("slice", x -> ShapeOps.slice(x[0], 1, 1, 3), b);
    }
}
