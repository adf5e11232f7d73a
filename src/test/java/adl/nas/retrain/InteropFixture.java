package adl.nas.retrain;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nas.Architecture;
import adl.nas.CellEdge;
import adl.nas.Primitive;
import adl.nn.BatchNorm2d;
import adl.nn.Init;
import adl.nn.Module;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.train.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The PyTorch interop fixture (src/test/resources/interop/README.md): a small FixedNetwork whose
 * cell uses every op (pools, skip, separable, atrous) and whose path goes up and down through
 * all four levels, with non-trivial BN scale, offset and running statistics. Writing it is a
 * manual step: {@code ADL_WRITE_INTEROP=1 mvn test -Dtest=InteropFixture}, then the PyTorch
 * script; {@link InteropTest} only reads.
 */
class InteropFixture {
    static final Path DIR = Path.of("src/test/resources/interop");
    static final int F = 2, CLASSES = 6, H = 65, W = 57;
    static final FixedNetwork.Widths WIDTHS = new FixedNetwork.Widths(2, 16, 16, 8, 16);
    static final int[] PATH = {0, 0, 1, 2, 3, 2, 1, 2};

    static CellEdge e(Primitive p, int input) { return new CellEdge(p, input); }

    static Architecture architecture() {
        return new Architecture(List.of(
                e(Primitive.MAX_POOL_3X3, 1), e(Primitive.SKIP_CONNECT, 0),
                e(Primitive.AVG_POOL_3X3, 0), e(Primitive.DIL_CONV_3X3, 1),
                e(Primitive.SEP_CONV_3X3, 3), e(Primitive.DIL_CONV_5X5, 0),
                e(Primitive.SEP_CONV_5X5, 1), e(Primitive.SKIP_CONNECT, 4),
                e(Primitive.DIL_CONV_3X3, 5), e(Primitive.MAX_POOL_3X3, 2)), PATH, F);
    }

    static FixedNetwork network(long seed) { return network(seed, 0.1); }

    static FixedNetwork network(long seed, double bnMomentum) {
        return new FixedNetwork(new Init(Device.CPU, DType.F32, seed),
                new FixedNetwork.Config(architecture(), F, CLASSES, 1e-3, bnMomentum, 0.9, 1.0, WIDTHS));
    }

    /**
     * BN scale and offset away from 1 and 0, running statistics moved off the batch statistics
     * they were taken from: eval-mode BN still roughly normalises (so every layer keeps a visible
     * effect on the logits) but differs from training mode.
     */
    static void perturbBatchNorm(Module m, SplittableRandom r) {
        for (Module c : m.children().values()) {
            if (c instanceof BatchNorm2d bn) {
                map(bn.weight(), r, (v, u) -> 0.7 + 0.6 * u);
                map(bn.bias(), r, (v, u) -> -0.2 + 0.4 * u);
                double[] var = Tensors.toDoubles(bn.runningVar());
                double[] mean = Tensors.toDoubles(bn.runningMean());
                for (int i = 0; i < var.length; i++) {
                    mean[i] += (-0.2 + 0.4 * r.nextDouble()) * Math.sqrt(var[i]);
                    var[i] *= 0.7 + 0.7 * r.nextDouble();
                }
                Device.backendOf(bn.runningMean()).write(bn.runningMean(), mean);
                Device.backendOf(bn.runningVar()).write(bn.runningVar(), var);
            }
            perturbBatchNorm(c, r);
        }
    }

    private static void map(Tensor t, SplittableRandom r, java.util.function.DoubleBinaryOperator f) {
        double[] v = Tensors.toDoubles(t);
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i], r.nextDouble());
        Device.backendOf(t).write(t, v);
    }

    static Safetensors.Entry entry(Tensor t) {
        double[] v = Tensors.toDoubles(t);
        if (t.dtype() == DType.I32) {
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) l[i] = (long) v[i];
            return Safetensors.Entry.of(t.shape().dims(), l);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Safetensors.Entry.of(t.shape().dims(), f);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "ADL_WRITE_INTEROP", matches = "1")
    void write() throws IOException {
        Files.createDirectories(DIR);
        try (FixedNetwork net = network(2024, 1.0); Scope s = Scope.open()) {
            // training mode with momentum 1: running statistics = those of the last batch; num_batches_tracked = 2
            for (int i = 0; i < 2; i++) net.forward(Nets.images(4, H, W, 100 + i));
            perturbBatchNorm(net, new SplittableRandom(7));
            Map<String, Safetensors.Entry> model = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) model.put(e.getKey(), entry(e.getValue()));
            Safetensors.write(DIR.resolve("fixed_network.safetensors"), model, Map.of("format", "pt"));
            Safetensors.write(DIR.resolve("fixed_network_input.safetensors"),
                    Map.of("input", entry(Tensors.randn(Device.CPU, DType.F32, Shape.of(1, 3, H, W), 77, 0, 1))), null);
            architecture().write(DIR.resolve("fixed_network_architecture.json"));
        }
    }
}
