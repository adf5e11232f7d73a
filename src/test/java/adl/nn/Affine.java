package adl.nn;

import adl.autograd.ElementwiseOps;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/** Test module built from elementwise ops only: y = x · weight + bias, weight and bias [C] broadcast over the last axis. */
public final class Affine extends Module {
    private final Tensor weight, bias;

    public Affine(Init init, int features) {
        this.weight = registerParameter("weight", Parameter.create("weight", () -> init.uniform(Shape.of(features), 1)));
        this.bias = registerParameter("bias", Parameter.create("bias", () -> init.uniform(Shape.of(features), 0.1)));
    }

    @Override public Tensor forward(Tensor x) { return ElementwiseOps.add(ElementwiseOps.mul(x, weight), bias); }
}
