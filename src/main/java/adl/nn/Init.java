package adl.nn;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Where and how a model's parameters are made: the device, the dtype, and a seeded generator
 * that hands each initialised tensor its own seed in construction order (no global RNG: the same
 * seed and the same construction order give the same model).
 */
public final class Init {
    private final Device device;
    private final DType dtype;
    private final SplittableRandom seeds;

    public Init(Device device, DType dtype, long seed) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("parameters must be floating point, got " + dtype);
        this.device = device;
        this.dtype = dtype;
        this.seeds = new SplittableRandom(seed);
    }

    public Device device() { return device; }
    public DType dtype() { return dtype; }

    /** The seed for the next random tensor. */
    public long nextSeed() { return seeds.nextLong(); }

    /** U[-bound, bound) values, seeded by {@link #nextSeed()}. */
    public Tensor uniform(Shape shape, double bound) {
        return Tensors.uniform(device, dtype, shape, nextSeed(), -bound, bound);
    }

    public Tensor full(Shape shape, double value) { return Tensors.full(device, dtype, shape, value); }

    /**
     * PyTorch's default bound for Conv2d/Linear weights and biases: kaiming_uniform_ with
     * a = sqrt(5) gives bound = gain · sqrt(3 / fanIn) with gain = sqrt(2 / (1 + a²)), i.e. 1 / sqrt(fanIn);
     * the bias uses the same bound.
     */
    public static double kaimingUniformBound(long fanIn) {
        if (fanIn < 1) throw new IllegalArgumentException("fan-in must be >= 1, got " + fanIn);
        return 1.0 / Math.sqrt(fanIn);
    }
}
