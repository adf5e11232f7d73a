package adl.autograd;

import adl.backend.Backend;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Compares every backward rule with central finite differences in double precision. The scalar
 * checked is L = Σ_i f(x)_i · r_i with fixed random r (so the whole Jacobian is exercised, not
 * only its column sums); for each input element, dL/dx ≈ (L(x + h) - L(x - h)) / 2h.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Outcome of one check: the worst errors and the first mismatches. */
    public record Report(String name, int checked, int failed, double maxAbsError, List<String> mismatches) {
        public boolean ok() { return failed == 0 && checked > 0; }

        @Override public String toString() {
            return name + ": checked " + checked + " partial derivatives, " + failed + " outside tolerance, max |error| "
                    + maxAbsError + (mismatches.isEmpty() ? "" : "\n  " + String.join("\n  ", mismatches));
        }
    }

    /**
     * Checks d f / d inputs. Inputs must be F64 CPU leaves (requiresGrad is set here); f must
     * be deterministic. Tolerance per element: |analytic - numeric| ≤ atol + rtol · |numeric|.
     */
    public static Report check(String name, Function<Tensor[], Tensor> f, double h, double atol, double rtol, Tensor... inputs) {
        for (Tensor x : inputs) {
            if (x.dtype() != DType.F64) throw new IllegalArgumentException("gradcheck inputs must be F64, got " + x.describe());
            x.requiresGrad(true);
            x.setGrad(null);
        }
        Backend be = Device.backendOf(inputs[0]);
        double[] r;
        double[][] analytic = new double[inputs.length][];
        try (Scope s = Scope.open()) {
            Tensor y = f.apply(inputs);
            Tensor weights = Tensors.uniform(be.device(), DType.F64, y.shape(), 12345, 0.5, 1.5);
            r = be.read(weights);
            Autograd.backward(y, weights, null);
            for (int i = 0; i < inputs.length; i++) {
                Tensor g = inputs[i].grad();
                analytic[i] = g == null ? new double[(int) inputs[i].numel()] : be.read(g);
                if (g != null) g.close();
                inputs[i].setGrad(null);
            }
        }
        int checked = 0, failed = 0;
        double maxErr = 0;
        List<String> mismatches = new ArrayList<>();
        try (GradMode.Guard off = GradMode.off()) {
            for (int i = 0; i < inputs.length; i++) {
                double[] x = be.read(inputs[i]);
                for (int j = 0; j < x.length; j++) {
                    double keep = x[j];
                    x[j] = keep + h;
                    be.write(inputs[i], x);
                    double plus = weightedValue(f, inputs, r, be);
                    x[j] = keep - h;
                    be.write(inputs[i], x);
                    double minus = weightedValue(f, inputs, r, be);
                    x[j] = keep;
                    be.write(inputs[i], x);
                    double numeric = (plus - minus) / (2 * h);
                    double err = Math.abs(analytic[i][j] - numeric);
                    maxErr = Math.max(maxErr, err);
                    checked++;
                    if (!(err <= atol + rtol * Math.abs(numeric))) {
                        failed++;
                        if (mismatches.size() < 5) {
                            mismatches.add("input " + i + " element " + j + ": analytic " + analytic[i][j] + ", numeric " + numeric);
                        }
                    }
                }
            }
        }
        return new Report(name, checked, failed, maxErr, mismatches);
    }

    /** {@link #check} with h = 1e-6, atol = 1e-6, rtol = 1e-5: tight enough to catch a wrong rule. */
    public static Report check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(name, f, 1e-6, 1e-6, 1e-5, inputs);
    }

    private static double weightedValue(Function<Tensor[], Tensor> f, Tensor[] inputs, double[] r, Backend be) {
        try (Scope s = Scope.open()) {
            double[] y = be.read(f.apply(inputs));
            double sum = 0;
            for (int k = 0; k < y.length; k++) sum += y[k] * r[k];
            return sum;
        }
    }

}
