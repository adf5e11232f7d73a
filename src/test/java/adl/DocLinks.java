package adl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The docs link checker of {@link DocsLinksTest}: finds the references a reader follows and says
 * which ones lead nowhere. Three kinds:
 * <ul>
 *   <li>a relative Markdown link {@code [text](path#anchor)} in a {@code .md} file: the path must exist
 *       (relative to the page), the anchor must be a heading of the target page (GitHub's slugs; an
 *       anchor alone is a heading of the page itself);</li>
 *   <li>a page reference {@code docs/NN} or {@code docs/NNx-name.md} (in Markdown prose and in source
 *       comments), optionally with a section {@code §k} or {@code §k–m}: the page must be exactly one file
 *       of {@code docs/}, and each section a heading {@code ## k.} (or {@code ###}) of it;</li>
 *   <li>any other {@code docs/<name>.md} path named in a source file must exist.</li>
 * </ul>
 * Fenced code blocks and inline code of Markdown pages are skipped (they show commands, not links).
 */
final class DocLinks {
    private DocLinks() {}

    /** One reference that leads nowhere: where it is, what it says, why it fails. */
    record Broken(String where, String ref, String why) {
        @Override public String toString() { return where + ": " + ref + " — " + why; }
    }

    private static final Pattern MD_LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    /** docs/NN[x][-name][.md] [,] [§k[–m]] */
    private static final Pattern PAGE_REF = Pattern.compile(
            "docs/(\\d{2}[a-z]?)(-[A-Za-z0-9-]+)?(\\.md)?(?:,?\\s*§\\s?(\\d+)(?:\\s?[–-]\\s?(\\d+))?)?");
    private static final Pattern DOCS_PATH = Pattern.compile("docs/([A-Za-z][A-Za-z0-9_-]*\\.md)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern NUMBERED = Pattern.compile("^#{2,3}\\s+(\\d+)\\.\\s");

    /** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link in a heading: its text
        StringBuilder sb = new StringBuilder();
        text.toLowerCase(java.util.Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') sb.appendCodePoint(c);
            else if (c == ' ') sb.append('-');
        });
        return sb.toString();
    }

    /** The anchors of a Markdown page's headings, with GitHub's -1, -2 … for repeated ones. */
    static Set<String> anchors(String markdown) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : withoutFences(markdown)) {
            Matcher m = HEADING.matcher(line);
            if (!m.matches()) continue;
            String s = slug(m.group(2));
            int n = seen.merge(s, 1, Integer::sum);
            out.add(n == 1 ? s : s + "-" + (n - 1));
        }
        return out;
    }

    /** The numbered sections ({@code ## k.} or {@code ### k.}) of a page. */
    static Set<Integer> sections(String markdown) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String line : withoutFences(markdown)) {
            Matcher m = NUMBERED.matcher(line);
            if (m.find()) out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    /** The page's lines with fenced code blocks blanked (line numbers kept). */
    static List<String> withoutFences(String markdown) {
        List<String> out = new ArrayList<>();
        boolean fence = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.strip().startsWith("```")) { fence = !fence; out.add(""); continue; }
            out.add(fence ? "" : line);
        }
        return out;
    }

    /** Every broken Markdown link of the page {@code page} (its text {@code markdown}). */
    static List<Broken> checkMarkdownLinks(Path page, String markdown) {
        List<Broken> out = new ArrayList<>();
        List<String> lines = withoutFences(markdown);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceAll("`[^`]*`", "``");
            Matcher m = MD_LINK.matcher(line);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) continue; // https:, mailto:
                String where = page + ":" + (i + 1);
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? page
                        : page.toAbsolutePath().getParent().resolve(URLDecoder.decode(file, StandardCharsets.UTF_8)).normalize();
                if (!Files.exists(resolved)) { out.add(new Broken(where, target, "no such file " + file)); continue; }
                if (anchor == null || anchor.isEmpty()) continue;
                if (!resolved.toString().endsWith(".md")) { out.add(new Broken(where, target, "an anchor into a file that is not Markdown")); continue; }
                String text = file.isEmpty() ? markdown : read(resolved);
                if (!anchors(text).contains(anchor)) out.add(new Broken(where, target, "no heading with anchor #" + anchor + " in " + (file.isEmpty() ? "this page" : file)));
            }
        }
        return out;
    }

    /**
     * Every broken page reference ({@code docs/NN §k}, {@code docs/<name>.md}) in {@code text}, the
     * content of {@code where}; {@code docs} is the folder of pages.
     */
    static List<Broken> checkPageRefs(String where, String text, Path docs) {
        List<Broken> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String at = where + ":" + (i + 1);
            Matcher m = PAGE_REF.matcher(lines[i]);
            while (m.find()) {
                if (m.start() > 0 && isPathChar(lines[i].charAt(m.start() - 1))) continue; // e.g. bench/docs/…
                String name = m.group(1) + (m.group(2) == null ? "" : m.group(2));
                List<Path> pages = pages(docs, name, m.group(3) != null);
                if (pages.size() != 1) {
                    out.add(new Broken(at, m.group(), pages.isEmpty() ? "no page docs/" + name + (m.group(3) != null ? "" : "*") + " in docs/"
                            : "ambiguous: " + pages.stream().map(p -> p.getFileName().toString()).toList()));
                    continue;
                }
                if (m.group(4) == null) continue;
                Set<Integer> sections = sections(read(pages.get(0)));
                int from = Integer.parseInt(m.group(4)), to = m.group(5) == null ? from : Integer.parseInt(m.group(5));
                for (int k : from == to ? new int[] {from} : new int[] {from, to}) {
                    if (!sections.contains(k)) out.add(new Broken(at, m.group(), "docs/" + pages.get(0).getFileName() + " has no section " + k
                            + " (its numbered sections: " + sections + ")"));
                }
            }
            Matcher p = DOCS_PATH.matcher(lines[i]);
            while (p.find()) {
                if (p.start() > 0 && isPathChar(lines[i].charAt(p.start() - 1))) continue;
                if (!Files.exists(docs.resolve(p.group(1)))) out.add(new Broken(at, p.group(), "no such page in docs/"));
            }
        }
        return out;
    }

    private static boolean isPathChar(char c) { return Character.isLetterOrDigit(c) || c == '/' || c == '.' || c == '_' || c == '-'; }

    /** The pages a reference names: {@code name.md} exactly, or (without .md) {@code name.md} / {@code name-*.md}. */
    static List<Path> pages(Path docs, String name, boolean exact) {
        try (Stream<Path> s = Files.list(docs)) {
            return s.filter(p -> {
                String f = p.getFileName().toString();
                if (!f.endsWith(".md")) return false;
                String stem = f.substring(0, f.length() - 3);
                return exact ? stem.equals(name) : stem.equals(name) || stem.startsWith(name + "-");
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
