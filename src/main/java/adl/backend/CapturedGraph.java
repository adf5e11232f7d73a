package adl.backend;

import adl.tensor.Tensor;

/**
 * A step recorded once by {@link Backend#captureGraph} and replayed by {@link #launch()} without
 * running its Java code again (docs/05d-cuda-graphs.md; CUDA graphs on a CUDA device, nothing on
 * the CPU). A replay reads what changes between iterations from device memory written before the
 * launch: the step's inputs, and the {@link Scalars} of the backend.
 */
public interface CapturedGraph extends AutoCloseable {
    /**
     * The per-iteration scalars a replayed optimizer update reads from device memory, set on the host
     * before {@link #launch()} (the values the skipped Java code would have passed).
     */
    interface Scalars {
        /** The learning rate of every captured SGD update. */
        void setSgdLr(double lr);

        /** {@code param}'s Adam learning rate and step count (1-based); it must have stepped eagerly before the capture. */
        void setAdam(Tensor param, double lr, long step);
    }

    /** Replays the graph with the scalars set so far; does not wait for it. */
    void launch();

    /** The name given at the capture (for messages). */
    String name();

    /** Replays so far. */
    long launches();

    /** Waits for the last replay, then frees the graph and the memory it kept reserved. */
    @Override void close();
}
