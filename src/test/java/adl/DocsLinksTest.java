package adl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every link a reader of the repository follows leads somewhere: relative links and anchors of the
 * Markdown pages, and the {@code docs/NN §k} references of the pages and of the source comments
 * (src/, bench/src, scripts/, native-kernels/). The repository's docs are the only docs: no
 * reference to internal design or style notes that are not in it. Runs from the repository root
 * (Surefire's working directory); the checker itself is {@link DocLinks}, proven on fixtures below.
 */
class DocsLinksTest {
    private static final Path DOCS = Path.of("docs");
    private static final Set<String> SKIP_DIRS = Set.of(".git", "target", "runs", "node_modules", ".jre");
    private static final List<String> SOURCE_ROOTS = List.of("src", "bench/src", "scripts", "native-kernels", "datasets");
    /** The checker and this test hold broken references on purpose (the fixtures below). */
    private static final Set<String> CHECKER = Set.of("DocLinks.java", "DocsLinksTest.java");
    private static final List<String> SOURCE_EXT = List.of(".java", ".sh", ".py", ".cu", ".c", ".h", ".cpp");

    static List<Path> markdownPages() throws IOException {
        try (Stream<Path> s = Files.walk(Path.of("."))) {
            return s.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p))
                    .filter(p -> { for (Path part : p) if (SKIP_DIRS.contains(part.toString())) return false; return true; })
                    .map(p -> Path.of(".").relativize(p)).sorted().toList();
        }
    }

    static List<Path> sourceFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String root : SOURCE_ROOTS) {
            if (!Files.isDirectory(Path.of(root))) continue;
            try (Stream<Path> s = Files.walk(Path.of(root))) {
                s.filter(Files::isRegularFile)
                        .filter(p -> SOURCE_EXT.stream().anyMatch(e -> p.toString().endsWith(e)))
                        .filter(p -> { for (Path part : p) if (SKIP_DIRS.contains(part.toString())) return false; return true; })
                        .filter(p -> !CHECKER.contains(p.getFileName().toString()))
                        .sorted().forEach(out::add);
            }
        }
        return out;
    }

    @Test void everyRelativeLinkAndAnchorOfTheMarkdownPagesResolves() throws IOException {
        List<Path> pages = markdownPages();
        assertTrue(pages.contains(Path.of("README.md")) && pages.contains(Path.of("docs/05-gpu-backend.md")), "pages found: " + pages);
        List<DocLinks.Broken> broken = new ArrayList<>();
        for (Path page : pages) broken.addAll(DocLinks.checkMarkdownLinks(page, Files.readString(page)));
        assertEquals(List.of(), broken, "broken links:\n" + String.join("\n", broken.stream().map(Object::toString).toList()));
    }

    @Test void everyDocsPageAndSectionReferenceResolves() throws IOException {
        List<DocLinks.Broken> broken = new ArrayList<>();
        for (Path page : markdownPages()) {
            String text = String.join("\n", DocLinks.withoutFences(Files.readString(page)));
            broken.addAll(DocLinks.checkPageRefs(page.toString(), text, DOCS));
        }
        List<Path> sources = sourceFiles();
        assertTrue(sources.size() > 100, "source files found: " + sources.size());
        for (Path src : sources) broken.addAll(DocLinks.checkPageRefs(src.toString(), Files.readString(src), DOCS));
        assertEquals(List.of(), broken, "broken references:\n" + String.join("\n", broken.stream().map(Object::toString).toList()));
    }

    /** The project's docs are its own: nothing cites design or style notes a reader does not have. */
    // spelled in pieces so that this file does not match itself
    private static final java.util.regex.Pattern INTERNAL = java.util.regex.Pattern.compile(
            "\\b" + "DES" + "IGN\\b|\\b" + "STY" + "LE\\b");

    @Test void noReferenceToDocumentsOutsideTheRepository() throws IOException {
        List<String> hits = new ArrayList<>();
        List<Path> files = new ArrayList<>(sourceFiles());
        files.addAll(markdownPages());
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (INTERNAL.matcher(lines.get(i)).find())
                    hits.add(f + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
        }
        assertEquals(List.of(), hits, "references to documents outside the repository:\n" + String.join("\n", hits));
    }

    // ---- the checker, on fixtures: each kind of broken reference is reported ----

    @Test void slugsFollowGitHub() {
        assertEquals("2-host--device-copies-through-a-pinned-staging-buffer", DocLinks.slug("2. Host ↔ device copies through a pinned staging buffer"));
        assertEquals("where-the-search-iteration-stands-issue-7-both-goals-at-once", DocLinks.slug("Where the search iteration stands (issue 7): both goals at once"));
        assertEquals("3-on-a-gpu-node-without-network-or-jdk-scriptsgpu-checksh", DocLinks.slug("3. On a GPU node without network or JDK: `scripts/gpu-check.sh`"));
        assertEquals(Set.of("a", "a-1", "b"), DocLinks.anchors("# A\n```\n# not a heading\n```\n## A\n### B\n"));
    }

    @Test void brokenLinksAndAnchorsAreReportedAndGoodOnesAreNot(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("other.md"), "# Other\n\n## 2. Second part\n");
        Path page = dir.resolve("page.md");
        String text = """
                # Page
                [fine](other.md) [fine too](other.md#2-second-part) [self](#page) [web](https://example.org/x)
                [gone](missing.md) [bad anchor](other.md#3-third-part) [bad self](#nowhere)
                `[in code](missing-too.md)`
                ```
                [in a fence](missing-three.md)
                ```
                """;
        Files.writeString(page, text);
        List<DocLinks.Broken> broken = DocLinks.checkMarkdownLinks(page, text);
        assertEquals(List.of("missing.md", "other.md#3-third-part", "#nowhere"), broken.stream().map(DocLinks.Broken::ref).toList(), broken.toString());
        assertTrue(broken.get(0).where().endsWith("page.md:3"), broken.get(0).where());
    }

    @Test void pageAndSectionReferencesAreCheckedAgainstTheHeadings(@TempDir Path docs) throws IOException {
        Files.writeString(docs.resolve("05-gpu.md"), "# 05\n");
        Files.writeString(docs.resolve("05a-bindings.md"), "# 05a\n## 1. Why\n## 2. Finding\n");
        Files.writeString(docs.resolve("05b-memory.md"), "# 05b\n");
        Files.writeString(docs.resolve("performance.md"), "# p\n");
        String good = """
                // docs/05a-bindings.md §2, docs/05a §1–2, docs/05a-bindings.md, "x"; docs/05 (the index); docs/performance.md
                """;
        assertEquals(List.of(), DocLinks.checkPageRefs("Good.java", good, docs));
        String bad = """
                // docs/05a-bindings.md §3
                // docs/05 §4
                // docs/06 §1
                // docs/05-mock-gpu.md
                // docs/05a §1–4
                // docs/perf.md
                """;
        List<DocLinks.Broken> broken = DocLinks.checkPageRefs("Bad.java", bad, docs);
        assertEquals(List.of("Bad.java:1", "Bad.java:2", "Bad.java:3", "Bad.java:4", "Bad.java:5", "Bad.java:6"),
                broken.stream().map(DocLinks.Broken::where).toList(), broken.toString());
        assertTrue(broken.get(0).why().contains("no section 3") && broken.get(0).why().contains("[1, 2]"), broken.get(0).why());
        assertTrue(broken.get(2).why().contains("no page docs/06"), broken.get(2).why());
    }

    @Test void aReferenceThatMatchesSeveralPagesIsAmbiguous(@TempDir Path docs) throws IOException {
        Files.writeString(docs.resolve("07-a.md"), "# a\n## 1. x\n");
        Files.writeString(docs.resolve("07-b.md"), "# b\n## 1. x\n");
        List<DocLinks.Broken> broken = DocLinks.checkPageRefs("X.md", "see docs/07 §1", docs);
        assertEquals(1, broken.size(), broken.toString());
        assertTrue(broken.get(0).why().startsWith("ambiguous"), broken.get(0).why());
    }
}
