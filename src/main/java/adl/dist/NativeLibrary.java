package adl.dist;

import adl.backend.LibraryFolders;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finds a communication library (Open MPI's {@code libmpi.so.40}, NCCL's {@code libnccl.so.2}) the
 * way the CUDA libraries are found (docs/05a-bindings.md §2), in this order: system property
 * {@code adl.dist.lib.<key>} (a folder or the file; naming a place without it is an error), the
 * folders of env {@code ADL_DIST_LIB_DIR}, {@code LD_LIBRARY_PATH}, the folders of
 * {@code /etc/ld.so.conf.d}, the multiarch defaults and their {@code openmpi/lib}; at load time,
 * when no folder holds it, dlopen by soname.
 *
 * @param key    short name: {@code mpi} or {@code nccl}
 * @param soname the file name looked for
 */
public record NativeLibrary(String key, String soname) {
    public static final NativeLibrary MPI = new NativeLibrary("mpi", "libmpi.so.40");
    public static final NativeLibrary NCCL = new NativeLibrary("nccl", "libnccl.so.2");

    /** Where it was found: the file, or null with a one-line reason. */
    public record Found(Path file, String via, String reason) {
        public boolean ok() { return file != null; }
    }

    /** Finds the library with this machine's properties, environment and folders. */
    public Found locate() {
        return locate(System.getenv(), System.getProperty("adl.dist.lib." + key), systemFolders(System.getenv()));
    }

    /** Finds it in the given places (tests pass fake folders). */
    public Found locate(Map<String, String> env, String property, List<Path> folders) {
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property.strip());
            Path file = Files.isDirectory(p) ? p.resolve(soname) : p;
            if (Files.isRegularFile(file)) return new Found(file, "system property adl.dist.lib." + key, null);
            return new Found(null, null, "adl.dist.lib." + key + "=" + property + ": no " + soname + " there");
        }
        List<Path> ordered = LibraryFolders.split(env.get("ADL_DIST_LIB_DIR"));
        ordered.addAll(folders);
        for (Path d : ordered) {
            Path f = d.resolve(soname);
            if (Files.isRegularFile(f)) return new Found(f.toAbsolutePath().normalize(), "folder " + d, null);
        }
        return new Found(null, null, soname + " not found in " + ordered.size() + " library folders"
                + (key.equals("mpi") ? " (install Open MPI: apt-get install openmpi-bin libopenmpi3)" : " (install NCCL 2)"));
    }

    /** Loads it into the global arena: by path when found, else by soname through dlopen's own search. */
    public SymbolLookup load() {
        Found f = locate();
        if (f.reason() != null && f.reason().startsWith("adl.dist.lib.")) throw new IllegalStateException(f.reason());
        try {
            return f.ok() ? SymbolLookup.libraryLookup(f.file(), Arena.global()) : SymbolLookup.libraryLookup(soname, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(f.ok() ? "cannot load " + f.file() + ": " + e.getMessage() : f.reason());
        }
    }

    /** LD_LIBRARY_PATH, /etc/ld.so.conf.d/*.conf, the multiarch defaults (each also with openmpi/lib). */
    static List<Path> systemFolders(Map<String, String> env) {
        List<Path> dirs = LibraryFolders.linkerPath(env);
        for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")) {
            dirs.add(Path.of(d));
            dirs.add(Path.of(d, "openmpi/lib"));
        }
        return dirs;
    }
}
