package adl.nas.retrain;

import adl.autograd.GradMode;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nas.Architecture;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.testing.Close;
import adl.train.Safetensors;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The independent oracle: logits of scripts/interop/fixed_network_torch.py (PyTorch, float64,
 * eval mode) for a Java-written checkpoint loaded there by name, against our eval-mode forward of
 * the same checkpoint. See src/test/resources/interop/README.md.
 */
class InteropTest {
    static final Path DIR = InteropFixture.DIR;

    static Safetensors.Entry only(Path file, String name) throws IOException {
        Safetensors.Entry e = Safetensors.read(file).entries().get(name);
        assertTrue(e != null, file + " holds '" + name + "'");
        return e;
    }

    static Tensor tensor(Safetensors.Entry e) {
        double[] v = new double[e.f32().length];
        for (int i = 0; i < v.length; i++) v[i] = e.f32()[i];
        return Tensors.of(Device.CPU, DType.F32, Shape.of(e.shape()), v);
    }

    /**
     * Strict load by state-dict name (as torch load_state_dict). Checkpoint.loadModel is not used:
     * it also requires a search checkpoint's counters in the metadata.
     */
    static void loadByName(Path file, FixedNetwork net) throws IOException {
        Map<String, Safetensors.Entry> entries = Safetensors.read(file).entries();
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> own : net.stateDict().entrySet()) {
            Safetensors.Entry e = entries.get(own.getKey());
            if (e == null) throw new IOException(file + ": no tensor '" + own.getKey() + "'");
            double[] v = new double[(int) own.getValue().numel()];
            for (int i = 0; i < v.length; i++) v[i] = e.dtype().equals("I64") ? e.i64()[i] : e.f32()[i];
            state.put(own.getKey(), Tensors.of(Device.CPU, own.getValue().dtype(), Shape.of(e.shape()), v));
        }
        assertEquals(entries.keySet(), state.keySet(), "the checkpoint holds exactly the network's state dict");
        net.loadStateDict(state);
    }

    @Test void fixtureIsTheNetworkItClaims() throws IOException {
        assertEquals(InteropFixture.architecture(), Architecture.read(DIR.resolve("fixed_network_architecture.json")));
        Map<String, Safetensors.Entry> ckpt = Safetensors.read(DIR.resolve("fixed_network.safetensors")).entries();
        assertFalse(ckpt.containsKey("cells.0.pre_prev2.conv.weight"), "stem width 2 = C of cell 0: H^{l-2} used as is");
        assertTrue(ckpt.containsKey("cells.1.pre_prev2.conv.weight"));
        assertTrue(ckpt.containsKey("cells.2.ops.1.conv.weight"), "skip_connect at stride 2 (the path goes up at cell 2)");
        assertFalse(ckpt.containsKey("cells.1.ops.1.conv.weight"), "skip_connect at stride 1 is the identity");
        assertTrue(ckpt.containsKey("cells.4.ops.3.conv.weight") && ckpt.get("cells.4.ops.3.conv.weight").shape()[3] == 3,
                "dil_conv_3x3 is an ordinary 3×3 conv");
        assertEquals(2, ckpt.get("stem.bn0.num_batches_tracked").i64()[0]);
    }

    @Test void evalLogitsMatchPyTorch() throws IOException {
        try (FixedNetwork net = InteropFixture.network(1); Scope s = Scope.open(); GradMode.Guard g = GradMode.off()) {
            loadByName(DIR.resolve("fixed_network.safetensors"), net);
            net.eval();
            Tensor x = tensor(only(DIR.resolve("fixed_network_input.safetensors"), "input"));
            Safetensors.Entry torch = only(DIR.resolve("fixed_network_logits.safetensors"), "logits");
            double[] expected = new double[torch.f32().length];
            for (int i = 0; i < expected.length; i++) expected[i] = torch.f32()[i];
            Tensor y = net.forward(x);
            assertEquals(Shape.of(torch.shape()), y.shape());
            double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
            assertTrue(scale > 0.05, "the reference logits are not degenerate: max |logit| " + scale);
            Close.assertClose("logits vs PyTorch", y, expected, 1e-4 * scale, 0);
            net.train(true);
            // two copies: training-mode BN needs more than one value per channel in the 1×1 image-pooling branch
            double[] train = Tensors.toDoubles(net.forward(adl.autograd.ShapeOps.concat(0, x, x)));
            double diff = 0;
            for (int i = 0; i < expected.length; i++) diff = Math.max(diff, Math.abs(train[i] - expected[i]));
            assertTrue(diff > 1e-2 * scale, "eval-mode BN (running statistics) matters for this fixture: " + diff);
        }
    }
}
