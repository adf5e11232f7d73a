package adl.testing;

import adl.backend.Tensors;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tolerance comparison in the llm.c style: |actual − expected| ≤ atol + rtol·|expected| per
 * element, and on failure the first mismatches with their indices.
 */
public final class Close {
    private Close() {}

    public static void assertClose(String what, double[] actual, double[] expected, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": element count");
        List<String> bad = new ArrayList<>();
        int failed = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            worst = Math.max(worst, err);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                failed++;
                if (bad.size() < 5) bad.add("[" + i + "] got " + actual[i] + ", expected " + expected[i]);
            }
        }
        if (failed > 0) {
            fail(what + ": " + failed + " of " + expected.length + " elements outside atol " + atol + " + rtol " + rtol
                    + " (max |error| " + worst + ")\n  " + String.join("\n  ", bad));
        }
    }

    public static void assertClose(String what, Tensor actual, double[] expected, double atol, double rtol) {
        assertClose(what, Tensors.toDoubles(actual), expected, atol, rtol);
    }

    public static void assertClose(String what, Tensor actual, Tensor expected, double atol, double rtol) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        assertClose(what, Tensors.toDoubles(actual), Tensors.toDoubles(expected), atol, rtol);
    }
}
