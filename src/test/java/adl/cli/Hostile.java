package adl.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every hostile case asserts (docs/07-guarantees.md): the exit code; one line naming the cause
 * (plus the command's one-line usage for a usage error, exit 2); no stack trace and no Java class
 * name; and that the files that were there before are there, unchanged.
 */
final class Hostile {
    private Hostile() {}

    /** The error lines of {@code err}: without warnings, notes and the no-GPU notice. */
    static List<String> errorLines(String err) {
        return err.lines().filter(l -> !l.startsWith("warning: ") && !l.startsWith("note: ") && !l.contains("no usable GPU")).toList();
    }

    /** Exit {@code code}; one line (usage errors: plus "usage: ...") containing every word; no Java internals anywhere. */
    static String assertRefused(MainTest.Result r, int code, String... words) {
        assertEquals(code, r.code(), "exit code; stderr:\n" + r.err() + "\nstdout:\n" + r.out());
        List<String> lines = errorLines(r.err());
        assertFalse(lines.isEmpty(), "no error line: " + r.err());
        if (code == 2) {
            assertTrue(lines.size() == 1 || (lines.size() == 2 && lines.get(1).startsWith("usage: ")), "message + short usage: " + r.err());
        } else {
            assertEquals(1, lines.size(), "one error line: " + r.err());
            assertTrue(lines.get(0).startsWith("error: "), r.err());
        }
        for (String w : words) assertTrue(lines.get(0).contains(w), "'" + w + "' missing from: " + lines.get(0));
        assertNoInternals(r.err());
        assertNoInternals(r.out());
        return lines.get(0);
    }

    static void assertNoInternals(String text) {
        for (String bad : new String[] {"Exception", "\tat ", "java.", "jackson", "adl.train.", "adl.cli.", "null"}) {
            assertFalse(text.contains(bad), "'" + bad + "' in: " + text);
        }
    }

    /** Every regular file under {@code dir} with its bytes. */
    static Map<Path, byte[]> snapshot(Path dir) throws IOException {
        Map<Path, byte[]> m = new LinkedHashMap<>();
        if (!Files.exists(dir)) return m;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) m.put(p, Files.readAllBytes(p));
        }
        return m;
    }

    /** Each file of {@code before} still exists with the same bytes. */
    static void assertUnchanged(Map<Path, byte[]> before) throws IOException {
        for (Map.Entry<Path, byte[]> e : before.entrySet()) {
            assertTrue(Files.exists(e.getKey()), e.getKey() + " was lost");
            assertTrue(Arrays.equals(e.getValue(), Files.readAllBytes(e.getKey())), e.getKey() + " was changed");
        }
    }

    /** A copy of folder {@code from} at {@code to}. */
    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        return to;
    }
}
