package adl.backend;

import adl.backend.cpu.CpuBackend;
import adl.backend.cuda.CudaUnavailableException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device names and the CUDA wiring as seen on a machine without a usable GPU (this one). */
class DeviceParseTest {
    private static final List<String> NONE = new ArrayList<>();

    @Test void namesParse() {
        assertEquals(Device.CPU, Device.parse("cpu", NONE::add));
        assertEquals(new Device(Device.Kind.CUDA, 0), Device.parse("cuda", NONE::add));
        assertEquals(new Device(Device.Kind.CUDA, 3), Device.parse("cuda:3", NONE::add));
        assertEquals("cuda:3", Device.parse("cuda:3", NONE::add).toString());
        assertTrue(NONE.isEmpty(), "explicit devices give no notice");
        for (String bad : List.of("tpu", "cuda:", "cuda:-1", "cuda:x", "CPU", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad, NONE::add));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test void cpuIsCheapAndNeverAsksForCuda() {
        assertSame(CpuBackend.INSTANCE, Device.CPU.backend());
        assertNull(Device.CPU.unusableReason());
    }

    @Test void withoutAGpuAutoIsTheCpuWithOneNoticeNamingTheReason() {
        String reason = new Device(Device.Kind.CUDA, 0).unusableReason();
        assertNotNull(reason, "this test machine has no usable GPU");
        List<String> notices = new ArrayList<>();
        assertEquals(Device.CPU, Device.parse("auto", notices::add));
        assertEquals(List.of("no usable GPU (" + reason.replaceFirst(" \\(searched: [^)]*\\)", "") + "); running on the CPU (details: adl devices)"), notices);
        assertEquals(1, notices.getFirst().lines().count());
    }

    @Test void withoutAGpuCudaBackendSaysWhyEveryTime() {
        Device d = new Device(Device.Kind.CUDA, 1);
        CudaUnavailableException first = assertThrows(CudaUnavailableException.class, d::backend);
        CudaUnavailableException again = assertThrows(CudaUnavailableException.class, d::backend);
        assertEquals(first.getMessage(), again.getMessage(), "the reason is remembered");
        assertTrue(!first.getMessage().isBlank() && first.getMessage().lines().count() == 1, first.getMessage());
    }
}
