package adl;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the layers one-way (docs/01-tensors-and-autograd.md §7): tensor → memory → backend → dist → autograd → nn/optim →
 * nas → data/train → cli. A package may import only packages of its own rank or above it.
 */
class LayeringTest {
    /** Rank of each top-level package; lower ranks are more fundamental. */
    static int rank(String pkg) {
        return switch (pkg) {
            case "tensor" -> 0;
            case "memory" -> 1;
            case "backend" -> 2;
            case "dist" -> 3;
            case "autograd" -> 4;
            case "nn", "optim" -> 5;
            case "nas" -> 6;
            case "data" -> 7;
            case "train" -> 8;
            case "cli" -> 9;
            default -> throw new IllegalArgumentException("unknown package adl." + pkg + ": give it a rank in LayeringTest");
        };
    }

    @Test void importsPointOnlyUpTheStack() throws IOException {
        Path root = Path.of("src/main/java/adl");
        Pattern imp = Pattern.compile("^import\\s+(?:static\\s+)?adl\\.(\\w+)\\.", Pattern.MULTILINE);
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java"))::iterator) {
                files++;
                String own = root.relativize(p).getName(0).toString();
                Matcher m = imp.matcher(Files.readString(p));
                while (m.find()) {
                    String dep = m.group(1);
                    boolean peerNnOptim = (own.equals("nn") && dep.equals("optim")) || (own.equals("optim") && dep.equals("nn"));
                    if (rank(dep) > rank(own) || (peerNnOptim && own.equals("nn"))) {
                        violations.add(p + " imports adl." + dep);
                    }
                }
            }
        }
        assertTrue(files > 10, "found the sources");
        assertTrue(violations.isEmpty(), "reversed layer imports:\n" + String.join("\n", violations));
    }
}
