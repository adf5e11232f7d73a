package adl.autograd;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.MemoryStats;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutogradTest {
    static Tensor leaf(double... v) {
        return Scope.untracked(() -> Tensors.of(Device.CPU, DType.F64, Shape.of(v.length), v)).requiresGrad(true);
    }

    @Test void gradientsOfASharedSubexpressionAccumulate() {
        Tensor a = leaf(1, 2, 3), b = leaf(4, 5, 6);
        try (Scope s = Scope.open()) {
            Tensor ab = ElementwiseOps.mul(a, b);
            // L = Σ (ab + ab·a) → dL/da = b + 2ab, dL/db = a + a²
            Tensor loss = ReduceOps.sumAll(ElementwiseOps.add(ab, ElementwiseOps.mul(ab, a)));
            Autograd.backward(loss);
        }
        assertArrayEquals(new double[] {4 + 8, 5 + 20, 6 + 36}, Tensors.toDoubles(a.grad()), 1e-12);
        assertArrayEquals(new double[] {1 + 1, 2 + 4, 3 + 9}, Tensors.toDoubles(b.grad()), 1e-12);
    }

    @Test void leafGradientsAccumulateAcrossBackwardCalls() {
        Tensor a = leaf(1, 2);
        for (int i = 0; i < 2; i++) {
            try (Scope s = Scope.open()) {
                Autograd.backward(ReduceOps.sumAll(ElementwiseOps.mulScalar(a, 3)));
            }
        }
        assertArrayEquals(new double[] {6, 6}, Tensors.toDoubles(a.grad()), 0);
    }

    /** Counts which inputs a rule was asked for, to prove unwanted gradients are never computed. */
    static final List<boolean[]> ASKED = new ArrayList<>();

    static Tensor spyMul(Tensor a, Tensor b) {
        Tensor z = ElementwiseOps.binaryRaw(adl.backend.BinaryOp.MUL, a, b);
        return new Node("spy_mul", a, b) {
            final Tensor sa = save(a), sb = save(b);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                ASKED.add(needs.clone());
                return new Tensor[] {
                    needs[0] ? ElementwiseOps.binaryRaw(adl.backend.BinaryOp.MUL, g, sb) : null,
                    needs[1] ? ElementwiseOps.binaryRaw(adl.backend.BinaryOp.MUL, g, sa) : null};
            }
        }.attach(z);
    }

    @Test void backwardRestrictedToChosenLeavesComputesNothingElse() {
        Tensor weights = leaf(1, 2), arch = leaf(3, 4);
        ASKED.clear();
        try (Scope s = Scope.open()) {
            Tensor loss = ReduceOps.sumAll(spyMul(weights, arch));
            Autograd.backward(loss, List.of(arch));
        }
        assertNull(weights.grad(), "the weight gradient must not be computed");
        assertArrayEquals(new double[] {1, 2}, Tensors.toDoubles(arch.grad()), 0);
        assertEquals(1, ASKED.size());
        assertFalse(ASKED.get(0)[0], "the rule was asked for the weight gradient");
        assertTrue(ASKED.get(0)[1]);
    }

    @Test void branchesLeadingToNoChosenLeafAreSkipped() {
        Tensor w = leaf(1, 2), alpha = leaf(0.5, 0.5);
        ASKED.clear();
        try (Scope s = Scope.open()) {
            Tensor onlyWeights = spyMul(w, w);                     // reaches no chosen leaf
            Tensor loss = ReduceOps.sumAll(ElementwiseOps.add(onlyWeights, alpha));
            Autograd.backward(loss, List.of(alpha));
        }
        assertTrue(ASKED.isEmpty(), "a branch that leads only to weights ran its backward");
        assertArrayEquals(new double[] {1, 1}, Tensors.toDoubles(alpha.grad()), 0);
    }

    @Test void noGradModeRecordsNothing() {
        Tensor a = leaf(1, 2);
        try (Scope s = Scope.open(); GradMode.Guard off = GradMode.off()) {
            Tensor y = ElementwiseOps.exp(a);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
        }
        assertTrue(GradMode.isEnabled(), "grad mode restored after the guard");
    }

    @Test void deepGraphsDoNotOverflowTheStack() {
        Tensor a = leaf(1.0);
        try (Scope s = Scope.open()) {
            Tensor y = a;
            for (int i = 0; i < 200_000; i++) y = ElementwiseOps.addScalar(y, 1e-6);
            Autograd.backward(y);
        }
        assertArrayEquals(new double[] {1}, Tensors.toDoubles(a.grad()), 0);
    }

    @Test void secondBackwardThroughAFreedGraphFailsClearly() {
        Tensor a = leaf(1, 2);
        try (Scope s = Scope.open()) {
            Tensor loss = ReduceOps.sumAll(ElementwiseOps.exp(a));
            Autograd.backward(loss);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Autograd.backward(loss));
            assertTrue(e.getMessage().contains("second time"), e.getMessage());
        }
    }

    @Test void savedTensorsAreFreedAsSoonAsBackwardUsedThem() {
        Tensor a = leaf(1, 2, 3);
        long before = MemoryStats.liveStorages();
        try (Scope s = Scope.open()) {
            Tensor loss = ReduceOps.sumAll(ElementwiseOps.exp(ElementwiseOps.exp(a)));
            Autograd.backward(loss);
        }
        // a's gradient is the only new storage that outlives the step
        assertEquals(before + 1, MemoryStats.liveStorages());
        a.grad().close();
        a.setGrad(null);
        assertEquals(before, MemoryStats.liveStorages());
    }

    @Test void aRuleReturningOneGradientForTwoInputsDoesNotLetSumsLeakBetweenThem() {
        // z = a + b hands the same gradient to a and b; b then receives a second contribution
        // (through b2) before a is done. u = (2a + b) + (a + b) → du/dx = 3, du/dy = 2.
        Tensor x = leaf(0.5, 1.5), y = leaf(2, 3);
        try (Scope s = Scope.open()) {
            Tensor a = ElementwiseOps.mulScalar(x, 1), b = ElementwiseOps.mulScalar(y, 1);
            Tensor w = ElementwiseOps.mulScalar(a, 2), b2 = ElementwiseOps.mulScalar(b, 1);
            Tensor z = ElementwiseOps.add(a, b);
            Autograd.backward(ReduceOps.sumAll(ElementwiseOps.add(ElementwiseOps.add(w, b2), z)));
        }
        assertArrayEquals(new double[] {3, 3}, Tensors.toDoubles(x.grad()), 0);
        assertArrayEquals(new double[] {2, 2}, Tensors.toDoubles(y.grad()), 0);
    }
}
