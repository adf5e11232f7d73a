package adl.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The primary context of one device (never {@code cuCtxCreate}, docs/05a-bindings.md §1). CUDA binds contexts per
 * thread, so every thread that calls CUDA calls {@link #makeCurrent()} first; it costs one
 * {@code cuCtxSetCurrent} per thread, later calls are a thread-local check.
 */
public final class CudaContext implements AutoCloseable {
    private final CudaDriver driver;
    private final int device;
    private final MemorySegment ctx;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private boolean released;

    private CudaContext(CudaDriver driver, int device, MemorySegment ctx) {
        this.driver = driver;
        this.device = device;
        this.ctx = ctx;
    }

    /** Retains device {@code ordinal}'s primary context and makes it current on the calling thread. */
    public static CudaContext primary(CudaDriver driver, int ordinal) {
        int dev = driver.device(ordinal);
        CudaContext c = new CudaContext(driver, dev, driver.primaryCtxRetain(dev));
        c.makeCurrent();
        return c;
    }

    /** Sets this context on the calling thread (once per thread). */
    public void makeCurrent() {
        if (!current.get()) {
            driver.ctxSetCurrent(ctx);
            current.set(Boolean.TRUE);
        }
    }

    public CudaDriver driver() { return driver; }
    public int device() { return device; }
    public MemorySegment handle() { return ctx; }

    /** Releases the primary context retained by {@link #primary}. */
    @Override public synchronized void close() {
        if (released) return;
        released = true;
        driver.primaryCtxRelease(device);
    }
}
