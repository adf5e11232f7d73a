package adl.backend.cuda;

import adl.backend.LibraryFolders;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The real machine's search roots for {@link NativeLibraries}; cheap file-system reads only. */
final class SystemFolders {
    private SystemFolders() {}

    /** LD_LIBRARY_PATH, then the folders listed in /etc/ld.so.conf.d/*.conf, then the multiarch defaults. */
    static List<Path> standardLibraryPath(Map<String, String> env) {
        List<Path> dirs = LibraryFolders.linkerPath(env);
        for (String d : List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/usr/lib/wsl/lib")) {
            dirs.add(Path.of(d));
        }
        return dirs;
    }

    /** {@code <root>/cuda/lib64} first, then {@code <root>/cuda-*}{@code /lib64}, newest name first. */
    static List<Path> cudaToolkitDirs(Path root) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(root.resolve("cuda/lib64"));
        List<Path> versioned = LibraryFolders.glob(root, "cuda-*");
        versioned.sort(Comparator.comparing(Path::toString).reversed());
        for (Path v : versioned) dirs.add(v.resolve("lib64"));
        return dirs;
    }

    /** Python site-packages / dist-packages of the system, /usr/local, the user, a virtualenv and conda. */
    static List<Path> sitePackages(Map<String, String> env) {
        List<Path> prefixes = new ArrayList<>();
        if (env.get("VIRTUAL_ENV") != null) prefixes.add(Path.of(env.get("VIRTUAL_ENV"), "lib"));
        if (env.get("CONDA_PREFIX") != null) prefixes.add(Path.of(env.get("CONDA_PREFIX"), "lib"));
        String home = System.getProperty("user.home");
        if (home != null) prefixes.add(Path.of(home, ".local/lib"));
        prefixes.add(Path.of("/usr/local/lib"));
        prefixes.add(Path.of("/usr/lib"));
        List<Path> sites = new ArrayList<>();
        for (Path prefix : prefixes) {
            List<Path> pythons = LibraryFolders.glob(prefix, "python3*");
            pythons.sort(Comparator.comparing(Path::toString).reversed());
            for (Path py : pythons) {
                sites.add(py.resolve("site-packages"));
                sites.add(py.resolve("dist-packages"));
            }
        }
        return sites;
    }
}
