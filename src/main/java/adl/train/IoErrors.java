package adl.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * One-line messages for I/O failures (docs/07-guarantees.md): the JDK's file exceptions carry only a
 * path ({@code /tmp/x}) or only a reason ({@code No space left on device}); these name both, in
 * words, without a Java class name.
 */
public final class IoErrors {
    private IoErrors() {}

    /** "cannot write FILE: reason", unless {@code e}'s message already names {@code target}. */
    public static IOException writing(Path target, IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("cannot write ")) return e;
        IOException w = new IOException("cannot write " + target + ": " + reason(e), e);
        return w;
    }

    /** What went wrong, in words: the reason of a file-system exception (with its file if other than the one named by the caller). */
    public static String reason(Throwable e) {
        if (e instanceof FileSystemException f) {
            String kind = e instanceof NoSuchFileException ? "no such file or folder"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "already exists (a file where a folder or a new file is needed)"
                    : e instanceof NotDirectoryException ? "not a folder"
                    : e instanceof DirectoryNotEmptyException ? "folder not empty"
                    : f.getReason() != null ? f.getReason() : "file-system error";
            String where = f.getFile() != null ? f.getFile() + ": " : "";
            String other = f.getOtherFile() != null ? " (" + f.getOtherFile() + ")" : "";
            return where + kind + other;
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "input/output error" : m;
    }

    /** The problem of a JSON file read as {@code what}: the field and what is wrong with it, or where the JSON breaks. */
    static String jsonProblem(JsonProcessingException e, String type) {
        String what = type.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof IllegalArgumentException && root.getMessage() != null) return "not a valid " + what + ": " + root.getMessage();
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining("."))
                : null;
        var loc = e.getLocation();
        String at = loc != null && loc.getLineNr() > 0 ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : "";
        if (field != null) return "not a valid " + what + ": field '" + field + "' has the wrong type or value" + at;
        return "not valid JSON" + at;
    }
}
