package adl.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lowered PTX ISA (native-kernels/build-ptx.sh: the lowest ISA every module assembles with) on
 * older drivers, on the mock GPU: a CUDA 12.0 driver (ADL_MOCK_GPU_DRIVER_VERSION=12000, which loads
 * PTX ISA up to 8.0) runs every selftest kernel; a CUDA 10.2 driver (ISA up to 6.5) refuses the
 * modules, and the error names the module and carries the JIT error log (cuModuleLoadDataEx's
 * CU_JIT_ERROR_LOG_BUFFER) with the unsupported version.
 */
class PtxIsaMockIT {
    private static Map<String, String> driver(String version) {
        Map<String, String> env = new HashMap<>(MockGpu.env(null));
        env.put("ADL_MOCK_GPU_DRIVER_VERSION", version);
        return env;
    }

    @Test void aCuda12DriverLoadsTheLoweredPtx() {
        Adl.Result r = Adl.run(driver("12000"), Duration.ofSeconds(240), "selftest", "--device", "cuda");
        assertEquals(0, r.exit(), r.tail(40));
        assertTrue(r.out().contains("failed=0"), r.tail(20));
        for (String kernelCase : new String[] {"fill ", "weightedSum.backward.gw.deterministic", "crossEntropy.forward.ignore"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(kernelCase) && l.endsWith("PASS")),
                    "the hand-written kernels ran: no passing '" + kernelCase.strip() + "' line:\n" + r.tail(40));
        }
    }

    @Test void anOlderDriverRefusesItWithTheJitLogInTheError() {
        Adl.Result r = Adl.run(driver("10020"), Duration.ofSeconds(240), "selftest", "--device", "cuda");
        assertNotEquals(0, r.exit(), "PTX ISA 7.x on a CUDA 10.2 driver must fail:\n" + r.tail(20));
        String all = r.out() + r.err();
        assertTrue(all.contains("cuModuleLoadDataEx(") && all.contains("module=elementwise.ptx"), "the error names the call and the module:\n" + r.tail(20));
        assertTrue(all.contains("JIT error log: ") && all.contains("Unsupported .version 7."),
                "the error carries the JIT log:\n" + r.tail(20));
        assertTrue(all.contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), r.tail(20));
    }
}
