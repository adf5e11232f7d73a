package adl.autograd;

import adl.backend.Device;
import adl.backend.PoolParams;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.testing.Golden;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static adl.testing.Close.assertClose;

/** Our F32 batch norm, pooling and resize against PyTorch (fixtures from scripts/golden/normpool.py). */
class NormPoolGoldenTest {
    static final double ATOL = 1e-5, RTOL = 1e-4;

    @Test void batchNormAffine() { batchNorm("normpool_bn_affine", true); }

    @Test void batchNormNoAffine() { batchNorm("normpool_bn_noaffine", false); }

    /** Two training steps (running stats, output and gradients of the second), then eval on a third batch. */
    private static void batchNorm(String name, boolean affine) {
        Golden g = Golden.load(name);
        double momentum = g.meta().get("momentum").asDouble(), eps = g.meta().get("eps").asDouble();
        try (Scope s = Scope.open()) {
            Tensor gamma = affine ? g.tensor("gamma", DType.F32).requiresGrad(true) : null;
            Tensor beta = affine ? g.tensor("beta", DType.F32).requiresGrad(true) : null;
            Tensor rm = Tensors.zeros(Device.CPU, DType.F32, 3);
            Tensor rv = Tensors.full(Device.CPU, DType.F32, Shape.of(3), 1);
            try (GradMode.Guard off = GradMode.off()) {
                NormOps.batchNorm(g.tensor("x1", DType.F32), gamma, beta, rm, rv, true, momentum, eps);
            }
            Tensor x2 = g.tensor("x2", DType.F32).requiresGrad(true);
            Tensor y2 = NormOps.batchNorm(x2, gamma, beta, rm, rv, true, momentum, eps);
            Autograd.backward(y2, g.tensor("gy", DType.F32), null);
            assertClose(name + " y2", y2, g.data("y2"), ATOL, RTOL);
            assertClose(name + " gx2", x2.grad(), g.data("gx2"), ATOL, RTOL);
            assertClose(name + " running_mean", rm, g.data("running_mean"), ATOL, RTOL);
            assertClose(name + " running_var", rv, g.data("running_var"), ATOL, RTOL);
            if (affine) {
                assertClose(name + " ggamma2", gamma.grad(), g.data("ggamma2"), ATOL, RTOL);
                assertClose(name + " gbeta2", beta.grad(), g.data("gbeta2"), ATOL, RTOL);
                gamma.setGrad(null);
                beta.setGrad(null);
            }
            Tensor x3 = g.tensor("x3", DType.F32).requiresGrad(true);
            Tensor y3 = NormOps.batchNorm(x3, gamma, beta, rm, rv, false, momentum, eps);
            Autograd.backward(y3, g.tensor("gy_eval", DType.F32), null);
            assertClose(name + " y_eval", y3, g.data("y_eval"), ATOL, RTOL);
            assertClose(name + " gx_eval", x3.grad(), g.data("gx_eval"), ATOL, RTOL);
            if (affine) {
                assertClose(name + " ggamma_eval", gamma.grad(), g.data("ggamma_eval"), ATOL, RTOL);
                assertClose(name + " gbeta_eval", beta.grad(), g.data("gbeta_eval"), ATOL, RTOL);
            }
            // the running statistics are untouched in eval
            assertClose(name + " running_mean after eval", rm, g.data("running_mean"), ATOL, RTOL);
            for (Tensor t : new Tensor[] {x2, x3, gamma, beta}) if (t != null && t.grad() != null) t.grad().close();
        }
    }

    @Test void pools() {
        for (String name : List.of("normpool_maxpool_s1", "normpool_maxpool_s2", "normpool_avgpool_s1_excl",
                "normpool_avgpool_s1_incl", "normpool_avgpool_s2_excl", "normpool_avgpool_s2_incl")) {
            Golden g = Golden.load(name);
            JsonNode m = g.meta();
            PoolParams p = new PoolParams(m.get("kernel").asInt(), m.get("stride").asInt(), m.get("pad").asInt(),
                    m.get("count_include_pad").asBoolean());
            boolean max = m.get("kind").asText().equals("max");
            try (Scope s = Scope.open()) {
                Tensor x = g.tensor("x", DType.F32).requiresGrad(true);
                Tensor y = max ? PoolOps.maxPool2d(x, p) : PoolOps.avgPool2d(x, p);
                Autograd.backward(y, g.tensor("gy", DType.F32), null);
                assertClose(name + " y", y, g.data("y"), ATOL, RTOL);
                assertClose(name + " gx", x.grad(), g.data("gx"), ATOL, RTOL);
                x.grad().close();
            }
        }
    }

    @Test void bilinearResize() {
        for (String name : List.of("normpool_resize_ac0", "normpool_resize_ac1")) {
            Golden g = Golden.load(name);
            boolean ac = g.meta().get("align_corners").asBoolean();
            for (JsonNode size : g.meta().get("sizes")) {
                int oh = size.get(0).asInt(), ow = size.get(1).asInt();
                String key = oh + "x" + ow;
                try (Scope s = Scope.open()) {
                    Tensor x = g.tensor("x", DType.F32).requiresGrad(true);
                    Tensor y = ResizeOps.bilinear(x, oh, ow, ac);
                    Autograd.backward(y, g.tensor("gy_" + key, DType.F32), null);
                    assertClose(name + " y " + key, y, g.data("y_" + key), ATOL, RTOL);
                    assertClose(name + " gx " + key, x.grad(), g.data("gx_" + key), ATOL, RTOL);
                    x.grad().close();
                }
            }
        }
    }
}
