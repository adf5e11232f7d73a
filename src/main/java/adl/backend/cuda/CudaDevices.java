package adl.backend.cuda;

import adl.backend.Backend;
import adl.backend.Backends;
import adl.tensor.Storage;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's CUDA backends, one per device ordinal, opened on first use and kept open
 * (docs/05a-bindings.md §2). Libraries are located by {@link NativeLibraries#fromEnvironment()} and loaded once;
 * a device that cannot be used is remembered with its one-line reason, so asking again is cheap.
 * Nothing here runs until a CUDA device is asked for: the CPU path never loads libcuda.
 */
public final class CudaDevices {
    private CudaDevices() {}

    /** What {@link Backends} dispatches CUDA devices and CUDA memory to. */
    public static final Backends.Provider PROVIDER = new Backends.Provider() {
        @Override public Backend backend(int ordinal) { return CudaDevices.backend(ordinal); }

        @Override public String unusableReason(int ordinal) { return CudaDevices.unusableReason(ordinal); }

        @Override public int ordinalOf(Storage s) { return s instanceof CudaStorage c ? c.ordinal() : -1; }
    };

    private static final Map<Integer, CudaBackend> OPEN = new HashMap<>();
    private static final Map<Integer, String> UNUSABLE = new HashMap<>();
    private static CudaLibraries libraries;
    private static String librariesFailure;

    /**
     * The backend of device {@code ordinal}, opened on first call.
     *
     * @throws CudaUnavailableException with the one-line reason when the device is not usable
     */
    public static synchronized CudaBackend backend(int ordinal) {
        CudaBackend b = OPEN.get(ordinal);
        if (b != null) return b;
        String reason = UNUSABLE.get(ordinal);
        if (reason != null) throw new CudaUnavailableException(reason);
        try {
            b = open(ordinal);
        } catch (CudaUnavailableException | CudaException e) {
            UNUSABLE.put(ordinal, e.getMessage());
            throw e instanceof CudaUnavailableException u ? u : new CudaUnavailableException(e.getMessage(), e);
        }
        OPEN.put(ordinal, b);
        return b;
    }

    /**
     * Null when device {@code ordinal} is usable for training (opening it: driver, device, cuBLAS and
     * cuDNN), else the one-line reason it is not.
     */
    public static synchronized String unusableReason(int ordinal) {
        String reason = deviceUnusableReason(ordinal);
        if (reason != null) return reason;
        if (libraries.cublas == null) return "cuBLAS: " + libraries.cublasMissing;
        if (libraries.cudnn == null) return "cuDNN: " + libraries.cudnnMissing;
        return null;
    }

    /**
     * Null when device {@code ordinal} opens (the driver and the device; cuBLAS and cuDNN may be
     * missing, see {@link #missingLibraries}), else the one-line reason it does not. The selftest
     * needs only this: its hand-written-kernel checks run without the libraries.
     */
    public static String deviceUnusableReason(int ordinal) {
        try {
            backend(ordinal);
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    /** For an opened device: one line per missing library ("cuDNN: reason"), empty when all are there. */
    public static synchronized List<String> missingLibraries() {
        List<String> out = new ArrayList<>();
        if (libraries == null) return out;
        if (libraries.cublas == null) out.add("cuBLAS: " + libraries.cublasMissing);
        if (libraries.cudnn == null) out.add("cuDNN: " + libraries.cudnnMissing);
        return out;
    }

    private static CudaBackend open(int ordinal) {
        CudaLibraries libs = libraries();
        CudaDriver drv = libs.driver;
        int n = drv.deviceCount();
        if (n == 0) throw new CudaUnavailableException("the CUDA driver sees no devices");
        if (ordinal < 0 || ordinal >= n) {
            throw new CudaUnavailableException("no device cuda:" + ordinal + " (the driver sees " + n + " device" + (n == 1 ? "" : "s") + ")");
        }
        int dev = drv.device(ordinal);
        int major = drv.deviceAttribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        int minor = drv.deviceAttribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        if (major < 8) {
            throw new CudaUnavailableException("cuda:" + ordinal + " has compute capability " + major + "." + minor
                    + "; the PTX kernels need 8.0 or newer");
        }
        CudaBackend b = CudaBackend.open(drv, libs.cublas, libs.cudnn, ordinal);
        b.missingLibraries(libs.cublasMissing, libs.cudnnMissing);
        return b;
    }

    private static CudaLibraries libraries() {
        if (libraries != null) return libraries;
        if (librariesFailure != null) throw new CudaUnavailableException(librariesFailure);
        try {
            NativeLibraries found = NativeLibraries.fromEnvironment();
            Arena arena = Arena.global();
            CudaDriver drv = new CudaDriver(found.load(NativeLibraries.Library.CUDA, arena));
            drv.init();
            libraries = CudaLibraries.load(found, arena, drv);
            return libraries;
        } catch (CudaUnavailableException | CudaException e) {
            librariesFailure = e.getMessage();
            throw e instanceof CudaUnavailableException u ? u : new CudaUnavailableException(e.getMessage(), e);
        }
    }
}
