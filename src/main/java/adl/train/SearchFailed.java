package adl.train;

/** A search that cannot go on (NaN loss, unreadable checkpoint...): the message is for the user. */
public final class SearchFailed extends RuntimeException {
    public SearchFailed(String message) { super(message); }

    public SearchFailed(String message, Throwable cause) { super(message, cause); }
}
