package adl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassesJsonTest {
    @Test void readsNamesAndColoursAndFillsMissingColours(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("classes.json");
        Files.writeString(f, """
                {"classes": [
                  {"name": "background", "color": [0, 0, 0]},
                  {"name": "road", "color": [128, 64, 128]},
                  {"name": "car"},
                  "tree"
                ]}""");
        Palette p = ClassesJson.read(f);
        assertEquals(List.of("background", "road", "car", "tree"), p.names());
        assertArrayEquals(new int[] {0, 0, 0}, p.colors()[0]);
        assertArrayEquals(new int[] {128, 64, 128}, p.colors()[1]);
        assertArrayEquals(Palettes.distinct(4)[2], p.colors()[2]);
        assertArrayEquals(Palettes.distinct(4)[3], p.colors()[3]);
    }

    @Test void errorsNameTheFileAndTheEntry(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("classes.json");
        Files.writeString(f, "{\"classes\": [{\"name\": \"a\", \"color\": [1, 2]}]}");
        IOException e = assertThrows(IOException.class, () -> ClassesJson.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("class 0 (a)"), e.getMessage());

        Files.writeString(f, "{\"classes\": [\"a\", \"a\"]}");
        e = assertThrows(IOException.class, () -> ClassesJson.read(f));
        assertTrue(e.getMessage().contains("used twice"), e.getMessage());

        Files.writeString(f, "{\"classes\": [");
        e = assertThrows(IOException.class, () -> ClassesJson.read(f));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON"), e.getMessage());

        Files.writeString(f, "[\"a\"]");
        e = assertThrows(IOException.class, () -> ClassesJson.read(f));
        assertTrue(e.getMessage().contains("expected {\"classes\""), e.getMessage());

        Path missing = dir.resolve("nope.json");
        e = assertThrows(IOException.class, () -> ClassesJson.read(missing));
        assertTrue(e.getMessage().contains("nope.json"), e.getMessage());
    }
}
