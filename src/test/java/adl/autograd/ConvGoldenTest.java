package adl.autograd;

import adl.backend.ConvParams;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;
import adl.testing.Close;
import adl.testing.Golden;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our F32 conv2d forward and backward against PyTorch (fixtures from scripts/golden/conv.py). */
class ConvGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"plain3x3", "stride2_pad1", "dilation2", "groups2", "depthwise3x3", "depthwise5x5",
        "depthwise3x3_dil2", "depthwise5x5_dil2", "depthwise3x3_stride2", "pointwise1x1", "stride2_odd_7x9", "plain3x3_bias"})
    void matchesPyTorch(String variant) {
        Golden gold = Golden.load("conv_" + variant);
        JsonNode m = gold.meta();
        ConvParams p = ConvParams.of(m.get("stride").asInt(), m.get("padding").asInt(), m.get("dilation").asInt(), m.get("groups").asInt());
        boolean bias = m.get("bias").asBoolean();
        try (Scope s = Scope.open()) {
            Tensor x = gold.tensor("x", DType.F32).requiresGrad(true);
            Tensor w = gold.tensor("w", DType.F32).requiresGrad(true);
            Tensor b = bias ? gold.tensor("b", DType.F32).requiresGrad(true) : null;
            Tensor y = ConvOps.conv2d(x, w, b, p);
            Close.assertClose(variant + " y", y, gold.data("y"), 1e-5, 1e-4);
            Autograd.backward(y, gold.tensor("gy", DType.F32), null);
            Close.assertClose(variant + " gx", x.grad(), gold.data("gx"), 1e-5, 1e-4);
            Close.assertClose(variant + " gw", w.grad(), gold.data("gw"), 1e-5, 1e-4);
            if (bias) Close.assertClose(variant + " gb", b.grad(), gold.data("gb"), 1e-5, 1e-4);
        }
    }
}
