package adl.backend.cuda;

import adl.backend.CapturedGraph;
import adl.backend.GraphCaptureException;

import java.lang.foreign.MemorySegment;

/**
 * One captured CUDA graph of a {@link CudaBackend}'s stream (docs/05d-cuda-graphs.md), made by
 * {@link CudaBackend#capture}: begin capture → run the step's Java code once (its kernel launches,
 * cuBLAS and cuDNN calls are recorded, not run) → end capture → instantiate. {@link #launch()} then
 * replays it: it flushes the {@link StepScalars} (the one host→device copy a replay needs besides its
 * inputs) and calls {@code cuGraphLaunch}; it does not wait.
 *
 * <p>Contract of a capturable step (enforced while capturing, by {@link GraphCaptureException} thrown
 * before the driver is asked): no host synchronisation (no device→host copy), no host→device copy
 * (a replay would re-read the staging buffer as it is then), no driver allocation (its blocks come
 * from the capture's private {@link CachingAllocator.Pool}, which the eager warm-up filled), no
 * optimizer state created. Everything that changes between replays must be read by kernels from
 * device memory written before {@link #launch()}: the inputs, and the step scalars. The graph keeps
 * its pool's blocks (and the cuDNN workspace it used) reserved until {@link #close()}.
 */
public final class CudaGraph implements CapturedGraph {
    /** The driver calls of a graph's life on the backend's stream; tests pass a fake. */
    public interface Driver {
        void beginCapture();

        /** Ends the capture; the captured CUgraph. */
        long endCapture();

        /** A CUgraphExec of {@code graph}. */
        long instantiate(long graph);

        void launch(long exec);

        void synchronize();

        /** Destroys what is not 0. */
        void destroy(long exec, long graph);
    }

    /** The real driver: global capture mode (the driver also refuses unsafe calls from other threads). */
    static Driver driver(CudaContext ctx, MemorySegment stream) {
        CudaDriver d = ctx.driver();
        return new Driver() {
            @Override public void beginCapture() {
                ctx.makeCurrent();
                d.streamBeginCapture(stream, CudaDriver.CU_STREAM_CAPTURE_MODE_GLOBAL);
            }

            @Override public long endCapture() {
                ctx.makeCurrent();
                return d.streamEndCapture(stream).address();
            }

            @Override public long instantiate(long graph) {
                ctx.makeCurrent();
                return d.graphInstantiate(MemorySegment.ofAddress(graph), 0).address();
            }

            @Override public void launch(long exec) {
                ctx.makeCurrent();
                d.graphLaunch(MemorySegment.ofAddress(exec), stream);
            }

            @Override public void synchronize() {
                ctx.makeCurrent();
                d.streamSynchronize(stream);
            }

            @Override public void destroy(long exec, long graph) {
                ctx.makeCurrent();
                if (exec != 0) d.graphExecDestroy(MemorySegment.ofAddress(exec));
                if (graph != 0) d.graphDestroy(MemorySegment.ofAddress(graph));
            }
        };
    }

    private final CudaBackend b;
    private final Driver d;
    private final String name;
    private final CachingAllocator.Pool pool;
    private final long graph, exec;
    private long launches;
    private boolean closed;

    private CudaGraph(CudaBackend b, Driver d, String name, CachingAllocator.Pool pool, long graph, long exec) {
        this.b = b;
        this.d = d;
        this.name = name;
        this.pool = pool;
        this.graph = graph;
        this.exec = exec;
    }

    /** Captures {@code body} on {@code b}'s stream; on any failure the capture is ended, its pool released, and the error rethrown. */
    static CudaGraph capture(CudaBackend b, Driver d, String name, Runnable body) {
        CachingAllocator.Pool pool = b.beginCapture(name);
        long g = 0, e = 0;
        try {
            d.beginCapture();
            try {
                body.run();
            } catch (RuntimeException | Error failure) {
                try {
                    d.destroy(0, d.endCapture());
                } catch (RuntimeException ignored) {
                    failure.addSuppressed(ignored);   // an invalidated capture ends with an error too
                }
                throw failure;
            }
            g = d.endCapture();
        } catch (RuntimeException | Error failure) {
            b.endCapture(pool);
            b.releasePool(pool);
            if (failure instanceof GraphCaptureException) throw failure;
            throw new GraphCaptureException("the capture of '" + name + "' failed: " + failure.getMessage(), failure);
        }
        b.endCapture(pool);
        try {
            e = d.instantiate(g);
        } catch (RuntimeException failure) {
            d.destroy(0, g);
            b.releasePool(pool);
            throw failure;
        }
        b.graphOpened();
        return new CudaGraph(b, d, name, pool, g, e);
    }

    /** Replays the graph: flushes the step scalars, then {@code cuGraphLaunch}; no wait. */
    @Override public void launch() {
        if (closed) throw new IllegalStateException("launch of the closed CUDA graph '" + name + "'");
        b.stepScalars().flush();
        d.launch(exec);
        launches++;
    }

    @Override public String name() { return name; }

    /** Replays so far. */
    @Override public long launches() { return launches; }

    /** The blocks reserved for this graph. */
    public CachingAllocator.Pool pool() { return pool; }

    /** Waits for the last replay, destroys the graph and gives its pool back to the allocator. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        d.synchronize();
        d.destroy(exec, graph);
        b.releasePool(pool);
        b.graphClosed();
    }
}
