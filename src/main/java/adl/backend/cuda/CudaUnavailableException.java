package adl.backend.cuda;

/** A CUDA library could not be found or loaded; the message is one line naming the cause and where it looked. */
public final class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String message) { super(message); }
    public CudaUnavailableException(String message, Throwable cause) { super(message, cause); }
}
