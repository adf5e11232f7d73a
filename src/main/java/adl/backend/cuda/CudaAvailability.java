package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code adl devices} prints: the CUDA devices with their memory and compute capability, the
 * driver version, and the cuDNN / cuBLAS versions and folders — or exactly why none is usable.
 */
public final class CudaAvailability {
    private CudaAvailability() {}

    /** The report for this machine. Loads the libraries it finds (into the global arena). */
    public static String describeAvailability() {
        return describe(NativeLibraries.fromEnvironment(), Arena.global());
    }

    /** The report for a given discovery (tests pass fake folder trees). */
    public static String describe(NativeLibraries libs, Arena arena) {
        List<String> lines = new ArrayList<>();
        String driverLine = describeDriver(libs, arena, lines);
        lines.addFirst(driverLine);
        CudaLibraries loaded = CudaLibraries.load(libs, arena, null);
        lines.add(loaded.cudnnLine);
        lines.add(loaded.cublasLine);
        return String.join("\n", lines);
    }

    private static String describeDriver(NativeLibraries libs, Arena arena, List<String> deviceLines) {
        SymbolLookup lookup;
        try {
            lookup = libs.load(NativeLibraries.Library.CUDA, arena);
        } catch (CudaUnavailableException e) {
            return "CUDA: not available: " + e.getMessage();
        }
        NativeLibraries.Resolution r = libs.locate(NativeLibraries.Library.CUDA);
        String where = r.ok() ? r.found().main().toString() : "libcuda.so.1 (dlopen search path)";
        CudaDriver drv = new CudaDriver(lookup);
        try {
            drv.init();
            int version = drv.driverVersion();
            int n = drv.deviceCount();
            if (n == 0) return "CUDA: not available: driver " + versionText(version) + " (" + where + ") sees no devices";
            for (int i = 0; i < n; i++) {
                int dev = drv.device(i);
                int major = drv.deviceAttribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
                int minor = drv.deviceAttribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
                deviceLines.add(String.format(Locale.ROOT, "  cuda:%d  %s, %.1f GiB, compute capability %d.%d%s", i,
                        drv.deviceName(dev), drv.deviceTotalMem(dev) / (1024.0 * 1024 * 1024), major, minor,
                        major >= 8 ? "" : " (below 8.0: the PTX kernels target compute_80, not usable)"));
            }
            return "CUDA driver " + versionText(version) + " (" + where + "), " + n + " device" + (n == 1 ? "" : "s") + ":";
        } catch (CudaException | CudaUnavailableException e) {
            return "CUDA: not available: " + e.getMessage();
        }
    }

    /** 13000 → "13.0". */
    static String versionText(int v) {
        return (v / 1000) + "." + ((v % 1000) / 10);
    }
}
