package adl.train;

import adl.backend.Backend;
import adl.backend.CapturedGraph;
import adl.backend.Device;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.Arrays;

/**
 * One training step run as a captured graph ({@link Backend#captureGraph}: a CUDA graph) once its shapes are fixed (docs/05d-cuda-graphs.md §4). The step reads
 * fixed device inputs (made at the first call, with the shapes of that call's host inputs) and
 * writes its losses into a fixed device buffer. Calls 1..{@code warmup} run the body eagerly (the
 * allocator's cache, cuDNN's algorithm cache, the loaded kernels and the optimizer state fill up);
 * the next call captures the body and launches the graph; every later call runs
 * {@code beforeReplay} (the host-side bookkeeping the skipped Java code would have done, and the
 * step scalars of this iteration) and launches the graph again. Each call: the inputs are copied in
 * (async, before the launch), and the losses are read after the step — the one host
 * synchronisation of an iteration, outside the graph.
 *
 * <p>Contract for the body: all it reads that changes between calls is the inputs or device memory
 * set before the launch ({@link CapturedGraph.Scalars}); it makes no host read and no host
 * write (see {@link CapturedGraph}); it writes loss {@code i} into {@code losses[i]} (1 element each).
 */
public final class CapturedStep implements AutoCloseable {
    /** How the last call ran. */
    public enum Phase { EAGER, CAPTURED, REPLAYED }

    /** The step: reads {@code inputs}, writes one value into each of {@code losses}. */
    public interface Body {
        void run(Tensor[] inputs, Tensor[] losses);
    }

    private final Backend cuda;
    private final String name;
    private final int warmup;
    private final Body body;
    private final Runnable beforeReplay;
    private final Tensor lossBuffer;
    private final Tensor[] losses;
    private Tensor[] inputs;
    private CapturedGraph graph;
    private int eagerRuns;
    private Phase last;

    /**
     * @param cuda         a backend that {@link Backend#capturesGraphs() captures graphs}
     * @param warmup       eager calls before the capture (≥ 1: optimizer state must exist before it)
     * @param lossCount    losses the body writes
     * @param beforeReplay run before each replay (not before the capture's own launch: the body ran then)
     */
    public CapturedStep(Backend cuda, String name, int warmup, int lossCount, Body body, Runnable beforeReplay) {
        if (warmup < 1) throw new IllegalArgumentException(name + ": warmup " + warmup + " must be ≥ 1");
        if (lossCount < 1) throw new IllegalArgumentException(name + ": lossCount " + lossCount + " must be ≥ 1");
        this.cuda = cuda;
        this.name = name;
        this.warmup = warmup;
        this.body = body;
        this.beforeReplay = beforeReplay;
        this.lossBuffer = device(DType.F32, Shape.of(lossCount));
        this.losses = new Tensor[lossCount];
        for (int i = 0; i < lossCount; i++) {
            lossBuffer.storage().retain();
            losses[i] = new Tensor(lossBuffer.storage(), Shape.of(1), new long[] {1}, i);
        }
    }

    private Tensor device(DType dtype, Shape shape) {
        return new Tensor(cuda.allocate(dtype, shape.numel()), shape, shape.contiguousStrides(), 0);
    }

    /**
     * Runs the step on {@code hostInputs} (CPU tensors; the same shapes and dtypes at every call),
     * returns its losses.
     */
    public double[] run(Tensor... hostInputs) {
        upload(hostInputs);
        if (eagerRuns < warmup) {
            body.run(inputs, losses);
            eagerRuns++;
            last = Phase.EAGER;
        } else if (graph == null) {
            graph = cuda.captureGraph(name, () -> body.run(inputs, losses));
            graph.launch();
            last = Phase.CAPTURED;
        } else {
            beforeReplay.run();
            graph.launch();
            last = Phase.REPLAYED;
        }
        return cuda.read(lossBuffer);
    }

    private void upload(Tensor[] host) {
        if (inputs == null) {
            inputs = new Tensor[host.length];
            for (int i = 0; i < host.length; i++) inputs[i] = device(host[i].dtype(), host[i].shape());
        }
        if (host.length != inputs.length) {
            throw new IllegalArgumentException(name + ": " + host.length + " inputs, the step was made with " + inputs.length);
        }
        for (int i = 0; i < host.length; i++) {
            Tensor h = host[i], d = inputs[i];
            if (!h.shape().equals(d.shape()) || h.dtype() != d.dtype()) {
                throw new IllegalArgumentException(name + ": input " + i + " is " + h.describe() + "; the step's fixed input is "
                        + d.describe() + " (a captured graph needs the same shapes at every iteration)");
            }
            double[] v = Device.backendOf(h).read(h);
            if (h.dtype() == DType.I32) cuda.writeInts(d, Arrays.stream(v).mapToInt(x -> (int) x).toArray());
            else cuda.write(d, v);
        }
    }

    /** How the last {@link #run} ran (null before the first). */
    public Phase lastPhase() { return last; }

    /** The captured graph, or null before the capture. */
    public CapturedGraph graph() { return graph; }

    /** The fixed device inputs (null before the first run). */
    Tensor[] inputs() { return inputs; }

    /** Destroys the graph (giving its blocks back) and frees the fixed inputs and losses. */
    @Override public void close() {
        if (graph != null) graph.close();
        graph = null;
        if (inputs != null) for (Tensor t : inputs) t.close();
        inputs = null;
        for (Tensor t : losses) t.close();
        lossBuffer.close();
    }
}
