package adl.backend.cpu;

import adl.backend.Backend;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convolution FLOP counter of {@code bench search-step}'s GFLOP/s line: each call adds
 * 2·N·Cout·Ho·Wo·(Cin/groups)·kh·kw, counted here by hand for a grouped strided convolution, a
 * depthwise dilated one and a 1×1 one, for the forward and both gradients; and the GEMM probe
 * returns a positive rate (its value is a timing and is not asserted).
 */
class ConvFlopsTest {
    private static final Backend BE = CpuBackend.INSTANCE;

    private static long counted(Runnable call) {
        long before = ConvFlops.total();
        call.run();
        return ConvFlops.total() - before;
    }

    private static void check(long expected, int[] xDims, int[] wDims, ConvParams p, int[] yDims) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.uniform(Device.CPU, DType.F32, adl.tensor.Shape.of(xDims), 1, -1, 1);
            Tensor w = Tensors.uniform(Device.CPU, DType.F32, adl.tensor.Shape.of(wDims), 2, -1, 1);
            Tensor y = Tensors.empty(Device.CPU, DType.F32, yDims);
            Tensor gx = Tensors.empty(Device.CPU, DType.F32, xDims), gw = Tensors.empty(Device.CPU, DType.F32, wDims);
            assertEquals(expected, counted(() -> BE.conv2dForward(x, w, p, y)), "forward");
            assertEquals(expected, counted(() -> BE.conv2dBackwardData(y, w, p, gx)), "data gradient");
            assertEquals(expected, counted(() -> BE.conv2dBackwardFilter(x, y, p, gw)), "filter gradient");
        }
    }

    @Test void eachCallCountsTwoFlopsPerMultiplyAdd() {
        // x [2, 4, 7, 7], w [6, 2, 3, 3], stride 2, pad 1, groups 2: y [2, 6, 4, 4]; 2·2·6·16·2·9 = 6912
        check(6912, new int[] {2, 4, 7, 7}, new int[] {6, 2, 3, 3}, ConvParams.of(2, 1, 1, 2), new int[] {2, 6, 4, 4});
        // depthwise 5×5 dilation 2, pad 4 on [2, 8, 6, 6]: y [2, 8, 6, 6]; 2·2·8·36·1·25 = 28800
        check(28800, new int[] {2, 8, 6, 6}, new int[] {8, 1, 5, 5}, ConvParams.of(1, 4, 2, 8), new int[] {2, 8, 6, 6});
        // 1×1 [1, 3, 5, 5] → 4 channels: 2·1·4·25·3·1 = 600
        check(600, new int[] {1, 3, 5, 5}, new int[] {4, 3, 1, 1}, ConvParams.of(1, 0, 1, 1), new int[] {1, 4, 5, 5});
    }

    @Test void gemmProbeRuns() {
        assertTrue(GemmPeak.gflops(1) > 0);
    }
}
