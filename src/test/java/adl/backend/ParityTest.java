package adl.backend;

import adl.backend.cpu.CpuBackend;
import adl.tensor.DType;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parity suite's own logic: CPU against itself, and the comparison on hand-made outputs. */
class ParityTest {
    @Test void cpuAgainstItselfPassesEveryCheckWithZeroError() {
        List<Parity.Result> results = Parity.run(CpuBackend.INSTANCE);
        assertEquals(Parity.checkCount(), results.size());
        Set<String> names = new HashSet<>();
        for (Parity.Result r : results) {
            assertTrue(names.add(r.name()), "duplicate check " + r.name());
            assertTrue(r.passed(), r.name() + ": " + r.firstMismatches());
            assertEquals(0.0, r.worstAbsError(), r.name());
        }
        assertTrue(results.size() > 70, "checks: " + results.size());
    }

    @Test void everyCaseCoversAPrimitiveFamily() {
        Set<String> families = new HashSet<>();
        for (Parity.Case c : Parity.cases()) families.add(c.name().split("\\.")[0]);
        for (String f : List.of("copy", "fill", "write", "unary", "binary", "sumTo", "matmul", "conv2d", "batchNorm",
                "maxPool", "avgPool", "resize", "softmax", "logSoftmax", "crossEntropy", "weightedSum", "sgd", "adam")) {
            assertTrue(families.contains(f), "no check for " + f + " in " + families);
        }
    }

    @Test void f64RunAlsoPasses() {
        for (Parity.Result r : Parity.run(CpuBackend.INSTANCE, CpuBackend.INSTANCE, DType.F64)) {
            assertTrue(r.passed(), r.name() + ": " + r.firstMismatches());
        }
    }

    @Test void compareReportsWorstErrorAndFirstMismatches() {
        double[][] expected = {{1, 2, 3, 100}};
        double[][] actual = {{1, 2.5, 3, 100.05}};
        Parity.Result r = Parity.compare("t", actual, expected, 0.01, 1e-3);
        assertFalse(r.passed());
        assertEquals(0.5, r.worstAbsError(), 1e-12);
        assertEquals("out0[1]: got 2.5, expected 2.0", r.firstMismatches().get(0));
        assertEquals(2, r.firstMismatches().size(), r.firstMismatches().toString()); // 100.05 is within 0.01 + 0.1
        assertTrue(Parity.compare("t", expected, expected, 0, 0).passed());
    }

    @Test void nanAndShapeDifferencesFail() {
        assertFalse(Parity.compare("nan", new double[][] {{Double.NaN}}, new double[][] {{1}}, 1, 1).passed());
        assertFalse(Parity.compare("len", new double[][] {{1, 2}}, new double[][] {{1}}, 1, 1).passed());
        assertFalse(Parity.compare("outs", new double[][] {}, new double[][] {{1}}, 1, 1).passed());
    }
}
