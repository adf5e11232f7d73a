package adl.nn;

import adl.autograd.ElementwiseOps;
import adl.tensor.Tensor;

/** torch.nn.ReLU: y = max(x, 0), any shape. No parameters. */
public final class ReLU extends Module {
    @Override public Tensor forward(Tensor x) { return ElementwiseOps.relu(x); }
}
