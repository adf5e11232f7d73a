package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.testing.Golden;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.function.Function;

import static adl.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our F32 results against PyTorch float32 (fixtures from scripts/golden/softmaxloss.py), forward
 * and backward through the autograd ops.
 */
class SoftmaxLossGoldenTest {
    private static final double ATOL = 1e-6, RTOL = 1e-4;

    @Test void softmaxAndLogSoftmaxAlongDim1() {
        Golden g = Golden.load("softmaxloss_softmax");
        assertEquals(1, g.meta().get("dim").asInt());
        compareUnary(g, "softmax", x -> SoftmaxOps.softmax(x, 1));
        compareUnary(g, "log_softmax", x -> SoftmaxOps.logSoftmax(x, 1));
    }

    private static void compareUnary(Golden g, String name, Function<Tensor, Tensor> f) {
        try (Scope s = Scope.open()) {
            Tensor x = g.tensor("x", DType.F32).requiresGrad(true);
            Tensor y = f.apply(x);
            assertClose(name + " forward", y, g.data(name + "_y"), ATOL, RTOL);
            Autograd.backward(y, g.tensor("gy", DType.F32), null);
            assertClose(name + " backward", x.grad(), g.data(name + "_gx"), ATOL, RTOL);
            x.grad().close();
        }
    }

    @Test void crossEntropyWithIgnoreIndex() {
        Golden g = Golden.load("softmaxloss_cross_entropy");
        assertEquals(LossOps.IGNORE_LABEL, g.meta().get("ignore_index").asInt());
        try (Scope s = Scope.open()) {
            Tensor logits = g.tensor("logits", DType.F32).requiresGrad(true);
            Tensor labels = g.tensor("labels", DType.I32);
            long ignored = Arrays.stream(Tensors.toDoubles(labels)).filter(v -> v == LossOps.IGNORE_LABEL).count();
            assertEquals(g.meta().get("ignored").asInt(), ignored);
            Tensor loss = LossOps.crossEntropy(logits, labels, LossOps.IGNORE_LABEL);
            assertEquals(Shape.of(1), loss.shape());
            assertClose("cross_entropy loss", loss, g.data("loss"), 1e-5, RTOL);
            Autograd.backward(loss);
            assertClose("cross_entropy grad", logits.grad(), g.data("grad"), ATOL, RTOL);
            logits.grad().close();
        }
    }

    @Test void weightedSumOfSevenWithSoftmaxWeights() {
        Golden g = Golden.load("softmaxloss_weighted_sum");
        int k = g.meta().get("k").asInt();
        double[] all = g.data("xs");
        int[] d = g.shape("xs").dims();
        Shape one = Shape.of(Arrays.copyOfRange(d, 1, d.length));
        int n = one.size();
        try (Scope s = Scope.open()) {
            Tensor[] xs = new Tensor[k];
            for (int i = 0; i < k; i++) {
                xs[i] = Tensors.of(Device.CPU, DType.F32, one, Arrays.copyOfRange(all, i * n, (i + 1) * n)).requiresGrad(true);
            }
            Tensor alpha = g.tensor("alpha", DType.F32).requiresGrad(true);
            Tensor w = SoftmaxOps.softmax(alpha, 0);
            assertClose("softmax(alpha)", w, g.data("w"), ATOL, RTOL);
            Tensor out = WeightedSumOps.weightedSum(xs, w);
            assertClose("weighted_sum forward", out, g.data("out"), 1e-5, RTOL);
            Autograd.backward(out, g.tensor("gy", DType.F32), null);
            double[] gxs = new double[k * n];
            for (int i = 0; i < k; i++) System.arraycopy(Tensors.toDoubles(xs[i].grad()), 0, gxs, i * n, n);
            assertClose("weighted_sum gxs", gxs, g.data("gxs"), ATOL, RTOL);
            assertClose("weighted_sum -> softmax galpha", alpha.grad(), g.data("galpha"), ATOL, RTOL);
            for (Tensor x : xs) x.grad().close();
            alpha.grad().close();
        }
        // gw on its own: w as a leaf
        try (Scope s = Scope.open()) {
            Tensor[] xs = new Tensor[k];
            for (int i = 0; i < k; i++) xs[i] = Tensors.of(Device.CPU, DType.F32, one, Arrays.copyOfRange(all, i * n, (i + 1) * n));
            Tensor w = g.tensor("w", DType.F32).requiresGrad(true);
            Autograd.backward(WeightedSumOps.weightedSum(xs, w), g.tensor("gy", DType.F32), null);
            assertClose("weighted_sum gw", w.grad(), g.data("gw"), 1e-5, RTOL);
            w.grad().close();
        }
    }
}
