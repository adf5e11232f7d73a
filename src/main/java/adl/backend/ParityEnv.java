package adl.backend;

import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Inputs and outputs of one parity check on one backend. Values come from a host generator seeded
 * per check, so the reference and the target get identical inputs; they are written to the
 * backend's device with {@link Backend#write}. Outputs start as NaN so an element a primitive
 * forgets to write shows as a mismatch.
 */
final class ParityEnv {
    final Backend b;
    final DType dtype;
    private final SplittableRandom rng;

    ParityEnv(Backend b, DType dtype, long seed) {
        this.b = b;
        this.dtype = dtype;
        this.rng = new SplittableRandom(seed);
    }

    /** Random non-zero values: random sign times U[0.1, 1). */
    Tensor rand(int... dims) {
        double[] v = new double[(int) Shape.of(dims).numel()];
        for (int i = 0; i < v.length; i++) v[i] = (rng.nextBoolean() ? 1 : -1) * rng.nextDouble(0.1, 1.0);
        return of(Shape.of(dims), v);
    }

    /** Random values in [lo, hi) (lo > 0 gives strictly positive inputs for log, sqrt, 1/x). */
    Tensor uniform(double lo, double hi, int... dims) {
        double[] v = new double[(int) Shape.of(dims).numel()];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble(lo, hi);
        return of(Shape.of(dims), v);
    }

    /** Labels in [0, classes), about {@code ignoredFraction} of them set to {@code ignore}. */
    Tensor labels(int classes, double ignoredFraction, int ignore, int... dims) {
        int[] v = new int[(int) Shape.of(dims).numel()];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble() < ignoredFraction ? ignore : rng.nextInt(classes);
        Tensor t = Tensors.empty(b.device(), DType.I32, Shape.of(dims));
        b.writeInts(t, v);
        return t;
    }

    /** A contiguous output filled with NaN. */
    Tensor out(int... dims) {
        Tensor t = Tensors.empty(b.device(), dtype, Shape.of(dims));
        b.fill(t, Double.NaN);
        return t;
    }

    Tensor of(Shape shape, double[] values) {
        Tensor t = Tensors.empty(b.device(), dtype, shape);
        b.write(t, values);
        return t;
    }

    /** The next random double in [0, 1) (for scalar arguments that both backends must share). */
    double nextDouble() { return rng.nextDouble(); }
}
