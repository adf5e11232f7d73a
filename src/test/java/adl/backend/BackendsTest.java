package adl.backend;

import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry that dispatches by device kind and by storage, and what a backend without graphs says. */
class BackendsTest {
    @Test void aCpuTensorIsDispatchedToTheRegisteredCpuBackend() {
        try (Tensor t = Tensors.zeros(Device.CPU, DType.F32, 3)) {
            assertEquals(Device.CPU, Device.of(t));
            assertSame(Backends.backend(Device.CPU), Device.backendOf(t));
            assertSame(Device.CPU.backend(), Device.backendOf(t));
        }
    }

    @Test void aProfilerTakesOverCpuDispatchUntilRemoved() {
        ProfilingBackend p = Device.profileCpu();
        try (Tensor t = Tensors.zeros(Device.CPU, DType.F32, 3)) {
            assertSame(p, Device.backendOf(t));
            assertSame(p, Device.CPU.backend());
        } finally {
            Device.unprofileCpu();
        }
        assertSame(Backends.backend(Device.CPU), Device.CPU.backend());
    }

    @Test void theCpuCannotCaptureGraphsAndSaysSo() {
        Backend cpu = Device.CPU.backend();
        assertFalse(cpu.capturesGraphs());
        var e = assertThrows(UnsupportedOperationException.class, () -> cpu.captureGraph("step", () -> { }));
        assertEquals("graph capture needs a CUDA device, not cpu", e.getMessage());
        assertThrows(UnsupportedOperationException.class, cpu::replayScalars);
    }

    @Test void bothBackendsAreWiredInForTheTests() {
        assertTrue(Backends.registered(Device.Kind.CPU));
        assertTrue(Backends.registered(Device.Kind.CUDA));
    }
}
