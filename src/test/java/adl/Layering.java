package adl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layering rules of docs/01-tensors-and-autograd.md §7, checked on a source tree: every
 * reference from one {@code adl} package to another, whether an import (plain, static or {@code .*})
 * or a fully qualified name in code ({@code catch (adl.x.Y e)}), must point down the stack
 * <pre>tensor → memory → backend → backend.cpu → backend.cuda → dist → autograd → nn → optim → nas → data → train → cli</pre>
 * A package belongs to the longest entry its name starts with ({@code train.eval} is {@code train}),
 * so {@code backend} may not use {@code backend.cpu} or {@code backend.cuda}, which build on it. The
 * backend implementations are wired in by {@code cli} ({@code BackendWiring}); nothing else between
 * uses them: it goes through {@code adl.backend}'s interfaces. Comments and string literals are not code.
 */
final class Layering {
    private Layering() {}

    /** The layers, most fundamental first. */
    static final List<String> LAYERS = List.of("tensor", "memory", "backend", "backend.cpu", "backend.cuda", "dist",
            "autograd", "nn", "optim", "nas", "data", "train", "cli");

    /** Backend implementations: usable only from backend's own sub-packages and cli. */
    static final List<String> IMPLEMENTATIONS = List.of("backend.cpu", "backend.cuda");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+adl((?:\\.\\w+)*)\\s*;", Pattern.MULTILINE);
    /** {@code adl.a.b.Type}, {@code adl.a.b.*}: the package is the lower-case segments before a type or a star. */
    private static final Pattern REFERENCE = Pattern.compile("(?<![\\w.$])adl((?:\\s*\\.\\s*[a-z_][a-z0-9_]*)+)\\s*\\.\\s*(?:[A-Z]|\\*)");

    /** The layer of {@code pkg} (relative to {@code adl}, e.g. {@code train.eval}), or null when none. */
    static String layer(String pkg) {
        String best = null;
        for (String l : LAYERS) {
            if ((pkg.equals(l) || pkg.startsWith(l + ".")) && (best == null || l.length() > best.length())) best = l;
        }
        return best;
    }

    /** Every violation under {@code root} (a folder holding {@code adl/…}), one line each: {@code file:line: what}. */
    static List<String> check(Path root) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java")).sorted()::iterator) {
                check(root.relativize(p).toString(), Files.readString(p), out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Number of .java files under {@code root}. */
    static long files(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(f -> f.toString().endsWith(".java")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void check(String name, String source, List<String> out) {
        String code = codeOnly(source);
        Matcher pm = PACKAGE.matcher(code);
        if (!pm.find()) return;  // not in adl
        String own = pm.group(1).isEmpty() ? "" : pm.group(1).substring(1);
        String ownLayer = layer(own);
        if (ownLayer == null) {
            out.add(name + ":1: adl." + own + " has no layer: give it one in " + Layering.class.getSimpleName());
            return;
        }
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            String dep = m.group(1).replaceAll("\\s", "").substring(1);
            String depLayer = layer(dep);
            String at = name + ":" + line(code, m.start()) + ": adl." + own + " uses adl." + dep;
            if (depLayer == null) {
                out.add(at + ", which has no layer");
            } else if (LAYERS.indexOf(depLayer) > LAYERS.indexOf(ownLayer)) {
                boolean sub = depLayer.startsWith(ownLayer + ".");
                out.add(at + (sub ? ", its own sub-package (which builds on it: a cycle)" : ", a higher layer"));
            } else if (IMPLEMENTATIONS.contains(depLayer) && !ownLayer.startsWith("backend.") && !ownLayer.equals("cli")) {
                out.add(at + ", a backend implementation: go through adl.backend (Backend, Backends)");
            }
        }
    }

    private static int line(String s, int at) {
        int n = 1;
        for (int i = 0; i < at; i++) if (s.charAt(i) == '\n') n++;
        return n;
    }

    /** {@code source} with comments, string, text-block and char literals blanked (newlines kept). */
    static String codeOnly(String source) {
        StringBuilder b = new StringBuilder(source.length());
        int n = source.length();
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            int end;
            if (source.startsWith("//", i)) {
                end = source.indexOf('\n', i);
                if (end < 0) end = n;
            } else if (source.startsWith("/*", i)) {
                end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                end = source.indexOf("\"\"\"", i + 3);
                while (end > 0 && source.charAt(end - 1) == '\\') end = source.indexOf("\"\"\"", end + 1);
                end = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < n && source.charAt(end) != c && source.charAt(end) != '\n') end += source.charAt(end) == '\\' ? 2 : 1;
                end = Math.min(n, end + 1);
            } else {
                b.append(c);
                i++;
                continue;
            }
            for (int k = i; k < end; k++) b.append(source.charAt(k) == '\n' ? '\n' : ' ');
            i = end;
        }
        return b.toString();
    }
}
