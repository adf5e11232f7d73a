package adl;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the layers one-way (docs/01-tensors-and-autograd.md §7; the rules: {@link Layering}), and shows
 * on a fixture tree (src/test/resources/layering) that the check sees what import lines alone hide.
 */
class LayeringTest {
    @Test void theSourcesPointOnlyDownTheStack() {
        Path root = Path.of("src/main/java");
        assertTrue(Layering.files(root) > 10, "found the sources");
        List<String> violations = Layering.check(root);
        assertTrue(violations.isEmpty(), "layering violations:\n" + String.join("\n", violations));
    }

    @Test void theCheckReportsASubPackageCycleAndFullyQualifiedNames() {
        assertEquals(List.of(
                "adl/autograd/Node.java:10: adl.autograd uses adl.nn, a higher layer",
                "adl/backend/Device.java:3: adl.backend uses adl.backend.cuda, its own sub-package (which builds on it: a cycle)",
                "adl/train/Loop.java:10: adl.train uses adl.backend.cuda, a backend implementation: go through adl.backend (Backend, Backends)"),
                Layering.check(Path.of("src/test/resources/layering")));
    }

    @Test void aPackageBelongsToItsLongestLayer() {
        assertEquals("train", Layering.layer("train.eval"));
        assertEquals("backend.cuda", Layering.layer("backend.cuda"));
        assertEquals("backend", Layering.layer("backend"));
        assertEquals(null, Layering.layer("backendx"));
    }
}
