package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** One attempt at cuBLAS: the bound library and its version, or why not, and the line for {@code devices}. */
    private record Blas(Cublas cublas, int version, String missing, String line, String where) {}

    /** Loads cuBLAS ({@code soname} null: any accepted soname), its libcublasLt first by full path. */
    private static Blas cublas(NativeLibraries found, Arena arena, String soname) {
        NativeLibraries.Resolution r = found.locate(NativeLibraries.Library.CUBLAS, soname);
        if (soname != null && !r.ok()) return new Blas(null, 0, r.reason(), "cuBLAS: not available: " + r.reason(), null);
        try {
            Cublas cublas = new Cublas(found.load(r, arena));
            // cublasGetVersion may be called with a NULL handle (cuBLAS documentation, cublasGetVersion()).
            int v = cublas.version(MemorySegment.NULL);
            String files = r.ok() ? String.join(" + ", r.found().files().stream().map(Object::toString).toList()) : "dlopen search path";
            return new Blas(cublas, v, null, String.format(Locale.ROOT, "cuBLAS %s (%s, via %s)", cublasVersionText(v), files,
                    r.ok() ? r.found().via() : "soname"), r.ok() ? r.found().main().toString() : "dlopen search path");
        } catch (CudaUnavailableException | CudaException e) {
            return new Blas(null, 0, e.getMessage(), r.ok() ? "cuBLAS: found at " + r.found().main() + " but not usable: " + e.getMessage()
                    : "cuBLAS: not available: " + e.getMessage(), null);
        }
    }

    /**
     * Loads what {@code found} finds into {@code arena}; {@code driver} is the already loaded and
     * initialised driver (null: report the libraries only). When cuDNN was built for another CUDA
     * major than the first cuBLAS found, the cuBLAS of cuDNN's major is looked for in the same
     * folders and, when present, loaded (its libcublasLt by full path) and used instead.
     */
    static CudaLibraries load(NativeLibraries found, Arena arena, CudaDriver driver) {
        Blas blas = cublas(found, arena, null);
        Cudnn cudnn;
        String cudnnMissing = null, cudnnLine;
        NativeLibraries.Resolution rd = found.locate(NativeLibraries.Library.CUDNN);
        try {
            cudnn = loadCudnn(found, rd, arena);
        } catch (CudaUnavailableException e) {
            // a cuDNN whose sub-libraries need libcublasLt.so.<N> at load time: preload that one, then retry
            Matcher m = Pattern.compile("libcublasLt\\.so\\.(\\d+)").matcher(e.getMessage());
            Blas alt = m.find() && (blas.cublas() == null || blas.version() / 10000 != Integer.parseInt(m.group(1)))
                    ? cublas(found, arena, "libcublas.so." + m.group(1)) : null;
            if (alt == null || alt.cublas() == null) return failed(driver, blas, rd, e);
            blas = alt;
            try {
                cudnn = loadCudnn(found, rd, arena);
            } catch (CudaUnavailableException again) {
                return failed(driver, blas, rd, again);
            }
        }
        try {
            long v = cudnn.version(), cudart = cudnn.cudartVersion();
            String cudnnWhere = rd.ok() ? rd.found().folder().toString() : "dlopen search path";
            cudnnLine = String.format(Locale.ROOT, "cuDNN %s for CUDA %s (%s)", cudnnVersionText(v), CudaAvailability.versionText((int) cudart),
                    rd.ok() ? rd.found().folder() + ", via " + rd.found().via() + ", " + (rd.found().files().size() - 1) + " sub-libraries"
                            : "dlopen search path");
            if (blas.cublas() != null && mismatch(v, cudart, blas.version(), cudnnWhere, blas.where()) != null) {
                Blas alt = cublas(found, arena, "libcublas.so." + cudart / 1000);
                String refused = mismatch(v, cudart, blas.version(), cudnnWhere, blas.where());
                if (alt.cublas() != null && mismatch(v, cudart, alt.version(), cudnnWhere, alt.where()) == null) {
                    blas = alt;
                } else {
                    cudnn = null;
                    cudnnMissing = refused;
                    cudnnLine = "cuDNN: not usable: " + refused;
                }
            }
        } catch (CudaUnavailableException | CudaException e) {
            return failed(driver, blas, rd, e);
        }
        return new CudaLibraries(driver, blas.cublas(), blas.missing(), blas.line(), cudnn, cudnnMissing, cudnnLine);
    }

    private static Cudnn loadCudnn(NativeLibraries found, NativeLibraries.Resolution rd, Arena arena) {
        return new Cudnn(found.load(rd, arena));
    }

    private static CudaLibraries failed(CudaDriver driver, Blas blas, NativeLibraries.Resolution rd, RuntimeException e) {
        String line = rd.ok() ? "cuDNN: found in " + rd.found().folder() + " but not usable: " + e.getMessage()
                : "cuDNN: not available: " + e.getMessage();
        return new CudaLibraries(driver, blas.cublas(), blas.missing(), blas.line(), null, e.getMessage(), line);
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
