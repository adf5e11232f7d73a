package adl.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's Quick start is exactly two commands (run, test), and .ci/run runs that same test
 * command; the scripts it names are executable. Runs from the repository root (Surefire's cwd).
 */
class ReadmeTest {
    /** The lines of the first fenced block after the "## Quick start" heading. */
    static List<String> quickStart() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int i = lines.indexOf("## Quick start");
        assertTrue(i >= 0, "README.md has a '## Quick start' heading");
        while (i < lines.size() && !lines.get(i).startsWith("```")) i++;
        List<String> block = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
            if (!lines.get(i).isBlank()) block.add(lines.get(i).strip());
        }
        return block;
    }

    @Test void quickStartIsRunThenTest() throws IOException {
        List<String> cmds = quickStart();
        assertEquals(2, cmds.size(), "Quick start commands: " + cmds);
        assertTrue(cmds.get(0).startsWith("./adl "), cmds.get(0));
        assertTrue(Files.isExecutable(Path.of("adl")), "./adl is executable");
        assertTrue(Files.isExecutable(Path.of(cmds.get(1).split(" ")[0])), cmds.get(1) + " is executable");
    }

    @Test void ciRunsTheReadmeTestCommand() throws IOException {
        Path ci = Path.of(".ci/run");
        assertTrue(Files.isExecutable(ci), ".ci/run is executable");
        List<String> code = Files.readAllLines(ci).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(quickStart().get(1), code.get(code.size() - 1), ".ci/run ends with README's test command");
    }

    /** The commands table under "## Commands" names every command of the CLI, and only those. */
    @Test void commandsTableMatchesTheCommands() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int i = lines.indexOf("## Commands");
        assertTrue(i >= 0, "README.md has a '## Commands' heading");
        java.util.Set<String> documented = new java.util.TreeSet<>();
        for (i++; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\| `([a-z-]+)").matcher(lines.get(i));
            if (m.find()) documented.add(m.group(1));
        }
        java.util.Set<String> commands = new java.util.TreeSet<>(Main.commandLine().getSubcommands().keySet());
        commands.remove("help");
        assertEquals(commands, documented, "README's commands table against adl's commands");
    }

    /** Every {@code ./adl <command>} README shows is a command of the CLI. */
    @Test void readmeShowsOnlyExistingCommands() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\./adl ([a-z][a-z-]*)").matcher(Files.readString(Path.of("README.md")));
        java.util.Set<String> commands = Main.commandLine().getSubcommands().keySet();
        while (m.find()) assertTrue(commands.contains(m.group(1)), "README shows ./adl " + m.group(1) + ", which is no command");
    }
}
