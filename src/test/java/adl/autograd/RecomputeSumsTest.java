package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A checkpointed function whose input has other uses before and after it: the input's gradient is
 * bitwise that of the stored graph (the checkpoint continues the engine's partial sum).
 */
class RecomputeSumsTest {
    static int variant;

    private static double[] gradOfX(boolean checkpoint) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.randn(Device.CPU, DType.F32, Shape.of(4, 257), 5, 0, 1).requiresGrad(true);
            Function<Tensor[], Tensor> f = in -> ElementwiseOps.add(ElementwiseOps.add(ElementwiseOps.relu(in[0]),
                    ElementwiseOps.mul(in[0], in[0])), ElementwiseOps.exp(ElementwiseOps.mulScalar(in[0], 0.3)));
            Tensor before = ElementwiseOps.mulScalar(x, 1.7);
            Tensor y = checkpoint ? Recompute.apply("f", f, List.of(), x) : f.apply(new Tensor[] {x});
            Tensor after = ElementwiseOps.sqrt(ElementwiseOps.addScalar(ElementwiseOps.mul(x, x), 1.1));
            Tensor y2 = checkpoint ? Recompute.apply("f2", f, List.of(), x) : f.apply(new Tensor[] {x});
            Tensor loss = variant == 1 ? ReduceOps.sumAll(ElementwiseOps.mul(y, y)) : variant == 3 ? ReduceOps.sumAll(ElementwiseOps.add(ElementwiseOps.add(before, y), y2)) : variant == 4 ? ReduceOps.sumAll(ElementwiseOps.mul(y, after)) : variant == 5 ? ReduceOps.sumAll(ElementwiseOps.mul(y, ElementwiseOps.addScalar(x, 0.5))) : variant == 2 ? ReduceOps.sumAll(ElementwiseOps.mul(ElementwiseOps.add(before, y), before)) : ReduceOps.sumAll(ElementwiseOps.mul(ElementwiseOps.add(ElementwiseOps.add(before, y), ElementwiseOps.add(after, y2)),
                    ElementwiseOps.addScalar(x, 0.5)));
            Autograd.backward(loss);
            double[] g = Tensors.toDoubles(x.grad());
            x.grad().close();
            return g;
        }
    }

    /**
     * 0: two checkpoints, uses before, between and after them; 1: the checkpoint alone; 2: a use
     * before it; 3: two checkpoints and a use before; 4: a use after it (a partial sum is handed
     * over); 5: a use after, consumed first in backward.
     */
    @Test
    void inputGradientIsBitwiseTheStoredOne() {
        for (variant = 0; variant <= 5; variant++) {
            assertArrayEquals(gradOfX(false), gradOfX(true), 0.0, "variant " + variant);
        }
    }
}
