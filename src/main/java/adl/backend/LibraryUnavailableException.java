package adl.backend;

/**
 * A primitive a backend cannot run because a library it needs (cuDNN, cuBLAS) is not usable on this
 * machine: {@code library} names it, {@code reason} says why in one line. The parity suite reports
 * such a check as skipped, not failed (docs/05e-gpu-checks.md §2).
 */
public final class LibraryUnavailableException extends UnsupportedOperationException {
    private final String library;
    private final String reason;

    public LibraryUnavailableException(String library, String op, String reason) {
        super(op + " needs " + library + ", which is not available: " + reason);
        this.library = library;
        this.reason = reason;
    }

    /** The missing library, e.g. {@code cuDNN}. */
    public String library() { return library; }

    /** Why it is not available (one line). */
    public String reason() { return reason; }
}
