package adl.nas;

import adl.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * Recomputation gives bitwise the gradients of storing the activations (the checkpoint continues
 * the engine's partial gradient sums of its inputs, so every addition has the stored path's
 * association): the comparison of {@link RecomputeTest} with a tolerance of zero, in F32 and F64.
 */
class RecomputeBitwiseTest {
    @Test void allGradientsBitwiseInF32() { RecomputeTest.compare(DType.F32, false, 0.0); }

    @Test void allGradientsBitwiseInF64() { RecomputeTest.compare(DType.F64, false, 0.0); }

    @Test void archGradientsBitwiseInF32WithWeightsFrozen() { RecomputeTest.compare(DType.F32, true, 0.0); }
}
