package adl.data;

import java.util.List;

/**
 * Bad data on disk: the message is one line per problem shown (at most {@link #SHOWN}), each naming
 * its file, followed by the total when more were found. {@link #problems()} holds all of them.
 */
public final class DatasetException extends RuntimeException {
    public static final int SHOWN = 5;
    private final List<Problem> problems;

    public DatasetException(String message, List<Problem> problems) {
        super(message);
        this.problems = List.copyOf(problems);
    }

    /** "{@code what}: N problem(s)" and the first {@link #SHOWN} problems, one per line. */
    public static DatasetException of(String what, List<Problem> problems) {
        if (problems.isEmpty()) throw new IllegalArgumentException("no problems to report");
        StringBuilder m = new StringBuilder(what).append(": ").append(problems.size())
                .append(problems.size() == 1 ? " problem" : " problems");
        if (problems.size() > SHOWN) m.append(" (first ").append(SHOWN).append(" shown; `adl datasets check` lists all)");
        for (int i = 0; i < Math.min(SHOWN, problems.size()); i++) m.append("\n  ").append(problems.get(i));
        return new DatasetException(m.toString(), problems);
    }

    public List<Problem> problems() { return problems; }

    /**
     * The one-line form for a command's error line (docs/07-guarantees.md): the first line and the
     * first problem, with the count of the others.
     */
    public String oneLine() {
        String head = getMessage().lines().findFirst().orElse("");
        if (problems.isEmpty()) return head;
        int more = problems.size() - 1;
        return head.replaceFirst(" \\(first \\d+ shown; `adl datasets check` lists all\\)$", "") + ": " + problems.get(0)
                + (more > 0 ? " (and " + more + " more)" : "");
    }
}
