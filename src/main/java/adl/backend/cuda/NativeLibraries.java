package adl.backend.cuda;

import adl.backend.LibraryFolders;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the CUDA driver, cuBLAS and cuDNN shared libraries (docs/05a-bindings.md §2), in this order:
 * <ol>
 *   <li>an explicit setting: system property {@code adl.cuda.lib.<name>} ({@code cuda}, {@code cublas},
 *       {@code cudnn}; a folder or the library file itself), then the folders of env {@code ADL_CUDA_LIB_DIR}
 *       (path-separator list). A property that names a place without the library is an error, never
 *       silently skipped;</li>
 *   <li>the standard library path: {@code LD_LIBRARY_PATH}, the folders of {@code /etc/ld.so.conf.d}, the
 *       multiarch defaults;</li>
 *   <li>{@code /usr/local/cuda*}{@code /lib64};</li>
 *   <li>{@code nvidia/cu13/lib}, {@code nvidia/cublas/lib}, {@code nvidia/cudnn/lib} under each Python
 *       site-packages (where PyTorch wheels put them), plus the folders of env {@code ADL_PYTHON_SITE};</li>
 *   <li>at load time only, when no folder holds it: dlopen by soname (ldconfig cache).</li>
 * </ol>
 * cuBLAS comes with {@code libcublasLt} of the same major version from the same folder; cuDNN comes with
 * every {@code libcudnn_*.so.9} of the folder of {@code libcudnn.so.9}, preloaded by full path so cuDNN's
 * own dlopen-by-soname finds them already loaded and versions never mix.
 *
 * <p>All roots are injectable so discovery is tested on fake folder trees; {@link #fromEnvironment()}
 * builds the real ones.
 */
public final class NativeLibraries {

    /** The libraries the CUDA backend binds. */
    public enum Library {
        CUDA("cuda", List.of("libcuda.so.1")),
        CUBLAS("cublas", List.of("libcublas.so.13", "libcublas.so.12")),
        CUDNN("cudnn", List.of("libcudnn.so.9"));

        /** Short name used in {@code adl.cuda.lib.<key>}. */
        public final String key;
        /** Accepted sonames, preferred first. */
        public final List<String> sonames;

        Library(String key, List<String> sonames) { this.key = key; this.sonames = sonames; }
    }

    /** cuDNN 9 sub-libraries the legacy convolution / batch-norm / pooling API needs. */
    static final List<String> CUDNN_REQUIRED = List.of("libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9");
    /** Sub-libraries preloaded first, in dependency order; any other libcudnn_*.so.9 follows by name. */
    static final List<String> CUDNN_ORDER = List.of("libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9",
            "libcudnn_engines_runtime_compiled.so.9", "libcudnn_heuristic.so.9", "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9", "libcudnn_adv.so.9");

    /**
     * Where a library was found: its folder (null when found only by dlopen's own search), the files to
     * load in order (companions first, the library itself last), and which rule found it.
     */
    public record Found(Library library, Path folder, List<Path> files, String via) {
        /** The library file itself. */
        public Path main() { return files.getLast(); }
    }

    /** The outcome of a search: {@code found} or, when null, a one-line {@code reason}; {@code searched}: the existing folders looked into. */
    public record Resolution(Library library, Found found, String reason, List<Path> searched) {
        public boolean ok() { return found != null; }
    }

    private final Map<String, String> env;
    private final Map<String, String> props;
    private final List<Path> systemDirs;
    private final List<Path> cudaDirs;
    private final List<Path> sitePackages;

    /**
     * @param env          environment ({@code ADL_CUDA_LIB_DIR}, {@code ADL_PYTHON_SITE} are read)
     * @param props        system properties ({@code adl.cuda.lib.<key>} are read)
     * @param systemDirs   the standard library path folders, in order
     * @param cudaDirs     toolkit library folders ({@code /usr/local/cuda*}{@code /lib64}), in order
     * @param sitePackages Python site-packages folders, in order
     */
    public NativeLibraries(Map<String, String> env, Map<String, String> props, List<Path> systemDirs,
                           List<Path> cudaDirs, List<Path> sitePackages) {
        this.env = Map.copyOf(env);
        this.props = Map.copyOf(props);
        this.systemDirs = List.copyOf(systemDirs);
        this.cudaDirs = List.copyOf(cudaDirs);
        this.sitePackages = List.copyOf(sitePackages);
    }

    /** Discovery over this machine's real environment, properties and folders. */
    public static NativeLibraries fromEnvironment() {
        Map<String, String> props = new java.util.HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("adl.cuda.")) props.put(name, System.getProperty(name));
        }
        return new NativeLibraries(System.getenv(), props, SystemFolders.standardLibraryPath(System.getenv()),
                SystemFolders.cudaToolkitDirs(Path.of("/usr/local")), SystemFolders.sitePackages(System.getenv()));
    }

    /** Finds {@code lib} without loading anything. */
    public Resolution locate(Library lib) { return locate(lib, null); }

    /**
     * Finds {@code lib} under one of its sonames only ({@code soname}, e.g. {@code libcublas.so.12}),
     * in the same folders and order; null: any of {@link Library#sonames}.
     */
    public Resolution locate(Library lib, String soname) {
        List<Path> searched = new ArrayList<>();
        String incomplete = null;

        String prop = props.get("adl.cuda.lib." + lib.key);
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop.trim());
            Path dir = Files.isDirectory(p) ? p : p.getParent();
            searched.add(p);
            Candidate c = inFolder(lib, dir, Files.isRegularFile(p) ? p.getFileName().toString() : null);
            if (c.found() != null) return new Resolution(lib, withVia(c.found(), "system property adl.cuda.lib." + lib.key), null, searched);
            return new Resolution(lib, null, "adl.cuda.lib." + lib.key + "=" + prop + ": " + c.problem(), searched);
        }

        List<Path> ordered = new ArrayList<>();
        List<String> vias = new ArrayList<>();
        for (Path d : splitPath(env.get("ADL_CUDA_LIB_DIR"))) { ordered.add(d); vias.add("ADL_CUDA_LIB_DIR"); }
        for (Path d : systemDirs) { ordered.add(d); vias.add("standard library path"); }
        for (Path d : cudaDirs) { ordered.add(d); vias.add("CUDA toolkit"); }
        if (lib != Library.CUDA) {
            List<Path> sites = new ArrayList<>(splitPath(env.get("ADL_PYTHON_SITE")));
            sites.addAll(sitePackages);
            for (Path site : sites) {
                for (String sub : List.of("nvidia/cu13/lib", "nvidia/cublas/lib", "nvidia/cudnn/lib")) {
                    ordered.add(site.resolve(sub));
                    vias.add("Python site-packages " + site);
                }
            }
        }
        Set<Path> seen = new LinkedHashSet<>();
        for (int i = 0; i < ordered.size(); i++) {
            Path d = ordered.get(i).toAbsolutePath().normalize();
            if (!seen.add(d)) continue;
            if (!Files.isDirectory(d)) continue;
            searched.add(d);
            Candidate c = inFolder(lib, d, soname);
            if (c.found() != null) return new Resolution(lib, withVia(c.found(), vias.get(i)), null, searched);
            if (!c.complete() && incomplete == null) incomplete = c.problem();
        }
        return new Resolution(lib, null, notFound(lib, incomplete, searched), searched);
    }

    /**
     * Loads {@code lib} and its companions into {@code arena} and returns a lookup over all of them
     * (the library itself first). Falls back to dlopen's own search by soname when no folder holds it.
     *
     * @throws CudaUnavailableException with the one-line reason when it cannot be found or loaded
     */
    public SymbolLookup load(Library lib, Arena arena) { return load(locate(lib), arena); }

    /** Loads what {@code r} found (companions first, by full path); as {@link #load(Library, Arena)} otherwise. */
    public SymbolLookup load(Resolution r, Arena arena) {
        Library lib = r.library();
        if (!r.ok()) {
            if (r.reason().startsWith("adl.cuda.lib.")) throw new CudaUnavailableException(r.reason());
            for (String soname : lib.sonames) {
                try {
                    return SymbolLookup.libraryLookup(soname, arena);
                } catch (IllegalArgumentException ignored) {
                    // not on dlopen's search path either
                }
            }
            throw new CudaUnavailableException(r.reason());
        }
        SymbolLookup combined = null;
        for (Path f : r.found().files()) {
            SymbolLookup one;
            try {
                one = SymbolLookup.libraryLookup(f, arena);
            } catch (IllegalArgumentException e) {
                throw new CudaUnavailableException(f + " exists but cannot be loaded (" + e.getMessage()
                        + "); it may need a library that is missing, or be for another architecture", e);
            }
            combined = combined == null ? one : one.or(combined);
        }
        return combined;
    }

    private record Candidate(Found found, boolean complete, String problem) {}

    /** Looks for {@code lib} (or the given file name) and its companions in {@code dir}. */
    private Candidate inFolder(Library lib, Path dir, String fileName) {
        if (dir == null || !Files.isDirectory(dir)) return new Candidate(null, true, "no such folder");
        List<String> names = fileName != null ? List.of(fileName) : lib.sonames;
        for (String soname : names) {
            Path main = dir.resolve(soname);
            if (!Files.exists(main)) continue;
            List<Path> files = new ArrayList<>();
            switch (lib) {
                case CUDA -> { }
                case CUBLAS -> {
                    String lt = soname.replace("libcublas.so", "libcublasLt.so");
                    Path ltPath = dir.resolve(lt);
                    if (!Files.exists(ltPath)) {
                        return new Candidate(null, false, soname + " found in " + dir + " but " + lt + " is missing there");
                    }
                    files.add(ltPath);
                }
                case CUDNN -> {
                    List<String> present = cudnnSubLibraries(dir);
                    for (String req : CUDNN_REQUIRED) {
                        if (!present.contains(req)) {
                            return new Candidate(null, false, soname + " found in " + dir + " but " + req
                                    + " is missing there (cuDNN sub-libraries are loaded from the folder of libcudnn.so.9 only, so versions never mix)");
                        }
                    }
                    for (String s : present) files.add(dir.resolve(s));
                }
            }
            files.add(main);
            return new Candidate(new Found(lib, dir, List.copyOf(files), null), true, null);
        }
        return new Candidate(null, true, "no " + String.join(" or ", names) + " in " + dir);
    }

    /** The libcudnn_*.so.9 files of {@code dir}, in load order. */
    static List<String> cudnnSubLibraries(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "libcudnn_*.so.9")) {
            for (Path p : ds) names.add(p.getFileName().toString());
        } catch (IOException e) {
            return List.of();
        }
        names.sort(Comparator.comparingInt((String n) -> {
            int i = CUDNN_ORDER.indexOf(n);
            return i < 0 ? CUDNN_ORDER.size() : i;
        }).thenComparing(Comparator.naturalOrder()));
        return names;
    }

    private static Found withVia(Found f, String via) {
        return new Found(f.library(), f.folder(), f.files(), via);
    }

    private static String notFound(Library lib, String incomplete, List<Path> searched) {
        String what = switch (lib) {
            case CUDA -> "libcuda.so.1 not found: no NVIDIA driver installed";
            case CUBLAS -> "libcublas.so.13 / libcublas.so.12 not found: cuBLAS is not installed (CUDA toolkit, or pip nvidia-cublas)";
            case CUDNN -> "libcudnn.so.9 not found: cuDNN 9 is not installed (pip nvidia-cudnn-cu13, or set adl.cuda.lib.cudnn)";
        };
        if (incomplete != null) what = what + "; " + incomplete;
        return what + " (searched: " + String.join(", ", searched.stream().map(Path::toString).toList()) + ")";
    }

    static List<Path> splitPath(String value) { return LibraryFolders.split(value); }
}
