package adl.nn;

import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Conv2d/BatchNorm2d built by name ({@code Conv2d.depthwise(c, k).padding(p)…}) are the modules
 * PyTorch's positional arguments give: same hyper-parameters, same state-dict keys and shapes,
 * same initial values from the same seed (checkpoints written before the named form still load).
 */
class NamedConstructionTest {
    private static Init init(long seed) { return new Init(Device.CPU, DType.F64, seed); }

    @Test void eachNamedConvIsThePositionalOne() {
        record Case(Conv2d.Spec named, int in, int out, int k, int stride, int pad, int dil, int groups, boolean bias) {}
        List<Case> cases = List.of(
                new Case(Conv2d.of(6, 4, 3), 6, 4, 3, 1, 0, 1, 1, true),
                new Case(Conv2d.of(3, 8, 3).stride(2).padding(1).bias(false), 3, 8, 3, 2, 1, 1, 1, false),
                new Case(Conv2d.depthwise(8, 5).padding(4).dilation(2).bias(false), 8, 8, 5, 1, 4, 2, 8, false),
                new Case(Conv2d.pointwise(8, 12).stride(2), 8, 12, 1, 2, 0, 1, 1, true),
                new Case(Conv2d.of(8, 4, 3).groups(4).padding(1), 8, 4, 3, 1, 1, 1, 4, true));
        for (Case c : cases) {
            try (Conv2d named = c.named().build(init(7));
                 Conv2d positional = new Conv2d(init(7), c.in(), c.out(), c.k(), c.stride(), c.pad(), c.dil(), c.groups(), c.bias())) {
                assertEquals(ConvParams.of(c.stride(), c.pad(), c.dil(), c.groups()), named.convParams(), c.toString());
                assertEquals(c.in(), named.inChannels());
                assertEquals(c.out(), named.outChannels());
                assertEquals(c.k(), named.kernelSize());
                assertSameState(positional, named);
                assertEquals(c.bias() ? List.of("weight", "bias") : List.of("weight"), List.copyOf(named.namedParameters().keySet()));
            }
        }
    }

    @Test void namedBatchNormIsThePositionalOne() {
        try (BatchNorm2d plain = BatchNorm2d.of(3).affine(false).eps(1e-3).momentum(0.2).build(init(1));
             BatchNorm2d defaults = BatchNorm2d.of(5).build(init(1))) {
            assertEquals(1e-3, plain.eps());
            assertEquals(0.2, plain.momentum());
            assertEquals(null, plain.weight());
            assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), List.copyOf(plain.stateDict().keySet()));
            assertEquals(1e-5, defaults.eps());
            assertEquals(0.1, defaults.momentum());
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(defaults.stateDict().keySet()));
        }
    }

    private static void assertSameState(Module want, Module got) {
        Map<String, Tensor> a = want.stateDict(), b = got.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(a.get(k).shape(), b.get(k).shape(), k);
            assertArrayEquals(Tensors.toDoubles(a.get(k)), Tensors.toDoubles(b.get(k)), k);
        }
    }
}
