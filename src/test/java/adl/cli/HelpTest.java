package adl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's --help and the top-level list read well: picocli prints no WARN, each command's
 * summary line (what the lists show) is one whole sentence, no word is split across two lines, no
 * parameter label repeats, and every option that is neither required nor a plain switch says its default.
 */
class HelpTest {
    /** Every command of the tree by its full name ("adl", "adl bench ops", ...). */
    static Map<String, CommandLine> commands() {
        Map<String, CommandLine> out = new LinkedHashMap<>();
        collect(Main.commandLine(), out);
        return out;
    }

    private static void collect(CommandLine cl, Map<String, CommandLine> out) {
        out.put(cl.getCommandSpec().qualifiedName(), cl);
        for (CommandLine sub : cl.getSubcommands().values()) if (!sub.getCommandName().equals("help")) collect(sub, out);
    }

    /** The usage text and whatever picocli wrote to System.err while making it. */
    static String[] usage(CommandLine cl) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return new String[] {cl.getUsageMessage(CommandLine.Help.Ansi.OFF), captured.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(err);
        }
    }

    /** A line that ends inside a word: "curves.", "auto-", "B1/" directly followed by a letter or digit on the next line. */
    static final Pattern SPLIT_END = Pattern.compile(".*[A-Za-z0-9][.\\-/]$"), SPLIT_START = Pattern.compile("^\\s*[a-z0-9].*");

    @Test void helpReadsWell() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
            String name = e.getKey();
            String[] u = usage(e.getValue());
            if (!u[1].isEmpty() || u[0].contains("WARN")) problems.add(name + ": picocli warned: " + (u[1] + u[0]).lines().filter(l -> l.contains("WARN")).findFirst().orElse(""));
            String[] lines = u[0].split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                String a = lines[i].stripTrailing(), b = lines[i + 1];
                if (SPLIT_END.matcher(a).matches() && SPLIT_START.matcher(b).matches() && !a.endsWith(".")) problems.add(name + ": word split across lines: '" + a + "' / '" + b.strip() + "'");
                if (a.matches(".*[a-z0-9]\\.$") && b.strip().matches("^(png|json|csv|jsonl|md|safetensors|onnx|html|txt)\\b.*")) {
                    problems.add(name + ": file name split across lines: '" + a + "' / '" + b.strip() + "'");
                }
            }
            if (u[0].matches("(?s).*\\[,[A-Z_0-9]+,.*")) problems.add(name + ": a repeated parameter label in: " + u[0].lines().filter(l -> l.contains("[,")).findFirst().orElse(""));
            CommandSpec spec = e.getValue().getCommandSpec();
            String summary = summary(spec);
            if (!summary.endsWith(".")) problems.add(name + ": the summary line is not one whole sentence: '" + summary + "'");
            for (OptionSpec o : spec.options()) {
                if (o.usageHelp() || o.versionHelp() || o.required() || o.arity().max() == 0 || o.longestName().equals("--debug")) continue;
                String d = String.join(" ", o.description()).toLowerCase(Locale.ROOT);
                if (!d.contains("default")) problems.add(name + " " + o.longestName() + ": its default is not shown");
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " help problems:\n" + String.join("\n", problems));
    }

    /** What the command lists show for a command: the first header line, else the first description line. */
    static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        if (header.length > 0) return header[0].strip();
        String[] d = spec.usageMessage().description();
        return d.length == 0 ? "" : d[0].strip();
    }
}
