package adl.backend;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The folders in which the native libraries bound through FFM are looked for, shared by the CUDA
 * libraries ({@code adl.backend.cuda}, docs/05-gpu-backend.md) and the communication libraries
 * ({@code adl.dist}). Cheap file-system reads only; each caller appends its own default folders.
 */
public final class LibraryFolders {
    private LibraryFolders() {}

    /** The folders of a path list ({@code a:b:c}); blank entries dropped, null or blank gives none. */
    public static List<Path> split(String value) {
        List<Path> out = new ArrayList<>();
        if (value == null) return out;
        for (String s : value.split(File.pathSeparator)) if (!s.isBlank()) out.add(Path.of(s.strip()));
        return out;
    }

    /** The dynamic linker's own list: {@code LD_LIBRARY_PATH} of {@code env}, then the folders named in /etc/ld.so.conf.d/*.conf (files in name order). */
    public static List<Path> linkerPath(Map<String, String> env) {
        List<Path> dirs = split(env.get("LD_LIBRARY_PATH"));
        Path conf = Path.of("/etc/ld.so.conf.d");
        if (Files.isDirectory(conf)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(conf, "*.conf")) {
                List<Path> files = new ArrayList<>();
                ds.forEach(files::add);
                files.sort(Comparator.naturalOrder());
                for (Path f : files) {
                    for (String line : Files.readAllLines(f)) {
                        String s = line.strip();
                        if (s.startsWith("/")) dirs.add(Path.of(s));
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // unreadable configuration: the caller's defaults still apply
            }
        }
        return dirs;
    }

    /** The entries of {@code dir} whose names match the glob {@code pattern}; none when it is missing or unreadable. */
    public static List<Path> glob(Path dir, String pattern) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
            ds.forEach(out::add);
        } catch (IOException ignored) {
            // unreadable: nothing found there
        }
        return out;
    }
}
