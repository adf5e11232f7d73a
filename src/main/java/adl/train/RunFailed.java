package adl.train;

/** A search or retrain run that cannot go on (NaN loss, unreadable checkpoint, out of device memory...): the message is for the user. */
public final class RunFailed extends RuntimeException {
    public RunFailed(String message) { super(message); }

    public RunFailed(String message, Throwable cause) { super(message, cause); }
}
