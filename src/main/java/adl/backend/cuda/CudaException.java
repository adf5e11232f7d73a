package adl.backend.cuda;

/**
 * A failed call into the CUDA driver, cuDNN or cuBLAS: the library, the function, the status code
 * with its name and description, and the arguments that matter (sizes, shapes).
 */
public final class CudaException extends RuntimeException {
    private final String library;
    private final String function;
    private final int code;
    private final String codeName;
    private final String description;
    private final String args;

    public CudaException(String library, String function, int code, String codeName, String description, String args) {
        super(library + " " + function + "(" + (args == null ? "" : args) + ") failed: " + codeName + " (" + code + ")"
                + (description == null || description.isEmpty() ? "" : ": " + description));
        this.library = library;
        this.function = function;
        this.code = code;
        this.codeName = codeName;
        this.description = description;
        this.args = args;
    }

    /** The same failure with {@code what} (e.g. the kernel and its arguments) put before the call's own arguments. */
    public CudaException withContext(String what) {
        CudaException e = new CudaException(library, function, code, codeName, description,
                what + (args == null || args.isEmpty() ? "" : ", " + args));
        e.initCause(this);
        return e;
    }

    public String library() { return library; }
    public String function() { return function; }
    /** The raw status (CUresult, cudnnStatus_t or cublasStatus_t). */
    public int code() { return code; }
    /** The status name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String codeName() { return codeName; }
}
