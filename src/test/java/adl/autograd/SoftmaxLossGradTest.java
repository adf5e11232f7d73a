package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static adl.autograd.ElementwiseGradTest.check;
import static adl.autograd.ElementwiseGradTest.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Finite-difference checks (F64) of the softmax, cross-entropy and weighted-sum backward rules. */
class SoftmaxLossGradTest {
    @Test void softmaxAndLogSoftmaxAlongChannels() {
        Tensor x = rand(11, -2, 2, 2, 4, 3, 5);
        check("softmax axis 1", t -> SoftmaxOps.softmax(t[0], 1), x);
        check("log_softmax axis 1", t -> SoftmaxOps.logSoftmax(t[0], 1), x);
    }

    @Test void softmaxAndLogSoftmaxAlongLastAxis() {
        Tensor x = rand(12, -3, 3, 4, 7);
        check("softmax axis -1", t -> SoftmaxOps.softmax(t[0], -1), x);
        check("log_softmax axis 1 of 2-D", t -> SoftmaxOps.logSoftmax(t[0], 1), x);
        Tensor y = rand(13, -1, 1, 3, 2, 5);
        check("softmax axis 0", t -> SoftmaxOps.softmax(t[0], 0), y);
        check("log_softmax of a non-contiguous view", t -> SoftmaxOps.logSoftmax(ShapeOps.slice(t[0], 2, 1, 3), 2), y);
    }

    @Test void crossEntropyWithIgnoredPixelsOnOddSizes() {
        Tensor logits = rand(14, -2, 2, 2, 4, 3, 5);
        int[] lab = new int[2 * 3 * 5];
        for (int i = 0; i < lab.length; i++) lab[i] = i % 5 == 2 ? LossOps.IGNORE_LABEL : (i * 7) % 4;
        Tensor labels = Scope.untracked(() -> Tensors.ofInts(Device.CPU, Shape.of(2, 3, 5), lab));
        check("cross_entropy", t -> LossOps.crossEntropy(t[0], labels, LossOps.IGNORE_LABEL), logits);
        Tensor wide = rand(15, -2, 2, 2, 6, 3, 5);
        check("cross_entropy of a non-contiguous channel slice",
                t -> LossOps.crossEntropy(ShapeOps.slice(t[0], 1, 1, 4), labels, LossOps.IGNORE_LABEL), wide);
    }

    @Test void weightedSumSevenAndThreeInputs() {
        Tensor[] seven = new Tensor[8];
        for (int k = 0; k < 7; k++) seven[k] = rand(20 + k, -1, 1, 2, 3, 5);
        seven[7] = rand(30, -1, 1, 7);
        check("weighted_sum K=7", t -> WeightedSumOps.weightedSum(java.util.Arrays.copyOf(t, 7), t[7]), seven);
        Tensor[] three = {rand(31, -1, 1, 3, 4, 3), rand(32, -1, 1, 3, 4, 3), rand(33, -1, 1, 3, 4, 3), rand(34, -1, 1, 3)};
        check("weighted_sum K=3", t -> WeightedSumOps.weightedSum(new Tensor[] {t[0], t[1], t[2]}, t[3]), three);
    }

    @Test void weightedSumOfSoftmaxWeights() {
        Tensor[] in = {rand(40, -1, 1, 4, 5), rand(41, -1, 1, 4, 5), rand(42, -1, 1, 4, 5), rand(43, -1, 1, 2, 3)};
        // alpha: [2, 3]; its row 1 weighs the three inputs, as a MixedOp does with softmax(alpha)
        check("weighted_sum of softmax(alpha) row", t -> WeightedSumOps.weightedSum(new Tensor[] {t[0], t[1], t[2]},
                ShapeOps.reshape(ShapeOps.slice(SoftmaxOps.softmax(t[3], -1), 0, 1, 1), 3)), in);
    }

    @Test void weightedSumWithSomeInputGradientsNotWanted() {
        Tensor fixed = rand(50, -1, 1, 3, 5);
        Tensor[] in = {rand(51, -1, 1, 3, 5), rand(52, -1, 1, 3, 5), rand(53, -1, 1, 3)};
        check("weighted_sum, x1 constant", t -> WeightedSumOps.weightedSum(new Tensor[] {t[0], fixed, t[1]}, t[2]), in);
        Tensor w = rand(54, -1, 1, 3);
        check("weighted_sum, w constant", t -> WeightedSumOps.weightedSum(new Tensor[] {t[0], fixed, t[1]}, w), in[0], in[1]);
    }

    @Test void weightedSumGradientForTheWeightsAlone() {
        Tensor[] xs = {rand(60, -1, 1, 2, 7), rand(61, -1, 1, 2, 7), rand(62, -1, 1, 2, 7)};
        Tensor w = rand(63, -1, 1, 3).requiresGrad(true);
        for (Tensor x : xs) x.requiresGrad(true);
        double[] full, only;
        try (Scope s = Scope.open()) {
            Autograd.backward(ReduceOps.sumAll(ElementwiseOps.exp(WeightedSumOps.weightedSum(xs, w))));
            full = Tensors.toDoubles(w.grad());
            assertNotNull(xs[1].grad());
        }
        for (Tensor x : xs) x.setGrad(null);
        w.setGrad(null);
        try (Scope s = Scope.open()) {
            Autograd.backward(ReduceOps.sumAll(ElementwiseOps.exp(WeightedSumOps.weightedSum(xs, w))), List.of(w));
            only = Tensors.toDoubles(w.grad());
        }
        for (Tensor x : xs) assertNull(x.grad(), "no gradient for an x that was not asked for");
        assertEquals(3, only.length);
        assertArrayEquals(full, only, 0.0);
    }
}
