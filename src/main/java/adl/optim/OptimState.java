package adl.optim;

import adl.backend.Device;
import adl.tensor.Tensor;

/** Shared checks for restoring optimizer state. */
final class OptimState {
    private OptimState() {}

    static Tensor param(Optimizer opt, String name) {
        Tensor p = opt.params().get(name);
        if (p == null) throw new IllegalArgumentException("no parameter '" + name + "' in this optimizer; known: " + opt.params().keySet());
        return p;
    }

    /** dst = src; shapes must match. */
    static void copyInto(Tensor src, Tensor dst, String name) {
        if (!src.shape().equals(dst.shape())) {
            throw new IllegalArgumentException("optimizer state for '" + name + "': shape " + src.shape() + ", expected " + dst.shape());
        }
        Device.backendOf(dst).copy(src, dst);
    }
}
