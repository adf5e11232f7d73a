package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The loaded CUDA libraries of the process: the driver (required), cuBLAS and cuDNN (each optional:
 * without one, the hand-written kernels still run and the ops that need it say why not).
 *
 * <p>cuBLAS is loaded first, {@code libcublasLt} by full path before {@code libcublas} (see
 * {@link NativeLibraries}), so that when cuDNN later asks for {@code libcublasLt.so.<major>} by
 * soname it gets the one already loaded. That is only right when cuDNN was built for that CUDA major:
 * cuDNN's {@code cudnnGetCudartVersion} (e.g. 13000) must have the major of {@code cublasGetVersion}
 * (e.g. 130000), or cuDNN is refused with one line naming both versions and folders.
 */
final class CudaLibraries {
    final CudaDriver driver;
    final Cublas cublas;
    final Cudnn cudnn;
    /** Why cuBLAS / cuDNN is null (null when loaded). */
    final String cublasMissing, cudnnMissing;
    /** One line per library for {@code adl devices}: version, folder, how it was found. */
    final String cublasLine, cudnnLine;

    private CudaLibraries(CudaDriver driver, Cublas cublas, String cublasMissing, String cublasLine,
                          Cudnn cudnn, String cudnnMissing, String cudnnLine) {
        this.driver = driver;
        this.cublas = cublas;
        this.cublasMissing = cublasMissing;
        this.cublasLine = cublasLine;
        this.cudnn = cudnn;
        this.cudnnMissing = cudnnMissing;
        this.cudnnLine = cudnnLine;
    }

    /**
     * Loads what {@code found} finds into {@code arena}; {@code driver} is the already loaded and
     * initialised driver (null: report the libraries only).
     */
    static CudaLibraries load(NativeLibraries found, Arena arena, CudaDriver driver) {
        Cublas cublas = null;
        String cublasMissing, cublasLine;
        int cublasVersion = 0;
        NativeLibraries.Resolution rb = found.locate(NativeLibraries.Library.CUBLAS);
        try {
            cublas = new Cublas(found.load(NativeLibraries.Library.CUBLAS, arena));
            // cublasGetVersion may be called with a NULL handle (cuBLAS documentation, cublasGetVersion()).
            cublasVersion = cublas.version(MemorySegment.NULL);
            cublasMissing = null;
            cublasLine = String.format(Locale.ROOT, "cuBLAS %s (%s, via %s)", cublasVersionText(cublasVersion),
                    rb.ok() ? String.join(" + ", rb.found().files().stream().map(Object::toString).toList()) : "dlopen search path",
                    rb.ok() ? rb.found().via() : "soname");
        } catch (CudaUnavailableException | CudaException e) {
            cublas = null;
            cublasMissing = e.getMessage();
            cublasLine = rb.ok() ? "cuBLAS: found at " + rb.found().main() + " but not usable: " + e.getMessage()
                    : "cuBLAS: not available: " + e.getMessage();
        }

        Cudnn cudnn = null;
        String cudnnMissing, cudnnLine;
        NativeLibraries.Resolution rd = found.locate(NativeLibraries.Library.CUDNN);
        try {
            cudnn = new Cudnn(found.load(NativeLibraries.Library.CUDNN, arena));
            long v = cudnn.version(), cudart = cudnn.cudartVersion();
            String where = rd.ok() ? rd.found().folder() + ", via " + rd.found().via() + ", " + (rd.found().files().size() - 1)
                    + " sub-libraries" : "dlopen search path";
            cudnnLine = String.format(Locale.ROOT, "cuDNN %s for CUDA %s (%s)", cudnnVersionText(v),
                    CudaAvailability.versionText((int) cudart), where);
            String mismatch = cublas == null ? null : mismatch(v, cudart, cublasVersion,
                    rd.ok() ? rd.found().folder().toString() : "dlopen search path",
                    rb.ok() ? rb.found().main().toString() : "dlopen search path");
            if (mismatch != null) {
                cudnn = null;
                cudnnMissing = mismatch;
                cudnnLine = "cuDNN: not usable: " + mismatch;
            } else {
                cudnnMissing = null;
            }
        } catch (CudaUnavailableException | CudaException e) {
            cudnn = null;
            cudnnMissing = e.getMessage();
            cudnnLine = rd.ok() ? "cuDNN: found in " + rd.found().folder() + " but not usable: " + e.getMessage()
                    : "cuDNN: not available: " + e.getMessage();
        }
        return new CudaLibraries(driver, cublas, cublasMissing, cublasLine, cudnn, cudnnMissing, cudnnLine);
    }

    /**
     * Null when cuDNN (version {@code cudnnVersion}, built for CUDA {@code cudart}, e.g. 12080) and
     * cuBLAS ({@code cublasVersion}, e.g. 130000) share a CUDA major; else the one-line refusal.
     */
    static String mismatch(long cudnnVersion, long cudart, int cublasVersion, String cudnnWhere, String cublasWhere) {
        long cudnnMajor = cudart / 1000, cublasMajor = cublasVersion / 10000;
        if (cudnnMajor == cublasMajor) return null;
        return "cuDNN " + cudnnVersionText(cudnnVersion) + " (" + cudnnWhere + ") was built for CUDA "
                + CudaAvailability.versionText((int) cudart) + " but the cuBLAS found is " + cublasVersionText(cublasVersion)
                + " (" + cublasWhere + "); cuDNN needs libcublasLt.so." + cudnnMajor + ": put a CUDA " + cudnnMajor
                + " cuBLAS next to it (e.g. pip nvidia-cublas-cu" + cudnnMajor + ") and point adl.cuda.lib.cublas or ADL_CUDA_LIB_DIR at it";
    }

    /** 91000 → "9.10.0" (cuDNN 9: major·10000 + minor·100 + patch). */
    static String cudnnVersionText(long v) {
        return (v / 10000) + "." + ((v / 100) % 100) + "." + (v % 100);
    }

    /** 130000 → "13.0.0" (cuBLAS 12+: major·10000 + minor·100 + patch). */
    static String cublasVersionText(int v) {
        return (v / 10000) + "." + ((v / 100) % 100) + "." + (v % 100);
    }
}
