package adl.backend.cpu;

import adl.backend.ConvParams;
import adl.backend.PoolParams;
import adl.tensor.Tensor;

/** Fused optimizer updates (PyTorch SGD and Adam semantics), F32 and F64. */
final class CpuOptim {
    private CpuOptim() {}

    static void sgd(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double weightDecay,
                    boolean nesterov, boolean firstStep) { throw new UnsupportedOperationException("not implemented yet"); }

    static void adam(Tensor param, Tensor grad, Tensor m, Tensor v, long step, double lr, double beta1,
                     double beta2, double eps, double weightDecay) { throw new UnsupportedOperationException("not implemented yet"); }
}
