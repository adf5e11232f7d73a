package adl.tensor;

import java.util.List;

/**
 * The autograd record of one op: what its backward needs, and how to push the gradient of its
 * output back to its inputs. Implemented in {@code adl.autograd}; stored on the op's output.
 */
public interface GradFn {
    /** Op name for messages and profiles, e.g. "conv2d". */
    String name();

    /** The op's tensor inputs, in order; backward returns one gradient per entry. */
    List<Tensor> inputs();

    /**
     * Gradients with respect to each input given the gradient of the output.
     *
     * @param gradOutput dL/d(output), same shape as the output
     * @param needs      needs[i] is true when input i's gradient is wanted; entries for which it
     *                   is false must be returned as null and should not be computed
     * @return one gradient per input (shape of that input), or null where not needed
     */
    Tensor[] backward(Tensor gradOutput, boolean[] needs);

    /** Drops the tensors saved for backward (called once backward used them, or when the graph is discarded). */
    void releaseSaved();
}
