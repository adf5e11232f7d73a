package adl.train.eval;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Conv2d;
import adl.nn.Init;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Multi-scale + flip inference on the GPU equals the CPU's (tag "gpu": run with
 * {@code mvn test -Dtest=InferenceCudaTest -Dadl.test.excludedGroups=none}; skipped without a usable GPU).
 */
@Tag("gpu")
class InferenceCudaTest {
    @Test void cudaMatchesCpu() {
        Device cuda = new Device(Device.Kind.CUDA, 0);
        assumeTrue(cuda.unusableReason() == null, "no usable GPU");
        try (Scope s = Scope.open();
             Conv2d cpuNet = Conv2d.of(3, 5, 3).padding(1).build(new Init(Device.CPU, DType.F32, 3));
             Conv2d gpuNet = Conv2d.of(3, 5, 3).padding(1).build(new Init(cuda, DType.F32, 3))) {
            Map<String, Tensor> src = cpuNet.stateDict(), dst = gpuNet.stateDict();
            for (String k : src.keySet()) Device.backendOf(dst.get(k)).write(dst.get(k), Tensors.toDoubles(src.get(k)));
            float[] img = new float[3 * 37 * 53];
            for (int i = 0; i < img.length; i++) img[i] = (float) Math.sin(0.37 * i);
            List<Double> scales = List.of(0.5, 0.75, 1.0, 1.25);
            ClassProbabilities a = new Inference(cpuNet, Device.CPU, scales, true).probabilities(img, 37, 53);
            ClassProbabilities b = new Inference(gpuNet, cuda, scales, true).probabilities(img, 37, 53);
            for (int i = 0; i < a.values().length; i++) {
                assertTrue(Math.abs(a.values()[i] - b.values()[i]) <= 1e-5, "index " + i + ": cpu " + a.values()[i] + ", cuda " + b.values()[i]);
            }
            assertArrayEquals(a.argmax(), b.argmax());
        }
    }
}
