package adl.backend;

/**
 * Something a captured graph ({@link CapturedGraph}) cannot hold was attempted while a step was being captured: a host
 * synchronisation (a device→host copy), a host→device copy (a replay would re-read its source), a
 * driver allocation, or optimizer state being created. The message names what and, where known, the
 * capture. Thrown before the driver is called, so the stream's capture is not yet invalidated.
 */
public final class GraphCaptureException extends IllegalStateException {
    public GraphCaptureException(String message) { super(message); }

    public GraphCaptureException(String message, Throwable cause) { super(message, cause); }
}
