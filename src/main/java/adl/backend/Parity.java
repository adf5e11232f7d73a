package adl.backend;

import adl.backend.cpu.CpuBackend;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The parity suite (DESIGN §6): every primitive of {@link Backend} run on the CPU (the reference)
 * and on a target backend with the same seeded, non-zero inputs, compared per element with
 * |target − cpu| ≤ atol + rtol·|cpu|. Plus a determinism check: the target's weighted-sum backward
 * gw is bitwise identical over three runs. With the CPU as target the suite compares the CPU with
 * itself (every check passes with worst = 0), which still exercises the whole suite.
 * Tolerances assume F32 with exact (non-TF32) matmul and convolution on the target.
 */
public final class Parity {
    private Parity() {}

    /** One check: worst |target − reference| over all its outputs, and the first mismatches (at most 5). */
    public record Result(String name, double worstAbsError, double atol, double rtol, boolean passed,
                         List<String> firstMismatches) {}

    /** The body of a check: makes its inputs through {@code e}, runs one primitive on e.b, returns the outputs. */
    @FunctionalInterface
    interface Body { Tensor[] run(ParityEnv e); }

    record Case(String name, double atol, double rtol, Body body) {}

    static final int MAX_MISMATCHES = 5;

    /** Every case, in a fixed order. */
    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        ParityCasesCore.addTo(cs);
        ParityCasesNn.addTo(cs);
        return cs;
    }

    /** How many results {@link #run} returns (the cases plus the determinism check). */
    public static int checkCount() { return cases().size() + 1; }

    /** Runs the suite in F32 with the CPU as reference. */
    public static List<Result> run(Backend target) { return run(CpuBackend.INSTANCE, target, DType.F32); }

    public static List<Result> run(Backend reference, Backend target, DType dtype) {
        List<Result> results = new ArrayList<>();
        for (Case c : cases()) results.add(check(reference, target, dtype, c));
        results.add(determinism(target, dtype));
        return results;
    }

    /** Runs one case on both backends (inputs from the same seed) and compares the outputs. */
    static Result check(Backend reference, Backend target, DType dtype, Case c) {
        long seed = c.name().hashCode();
        double[][] expected = outputs(reference, dtype, seed, c);
        double[][] actual;
        try {
            actual = outputs(target, dtype, seed, c);
        } catch (RuntimeException ex) {
            return new Result(c.name(), Double.NaN, c.atol(), c.rtol(), false,
                    List.of("threw " + ex.getClass().getSimpleName() + ": " + ex.getMessage()));
        }
        return compare(c.name(), actual, expected, c.atol(), c.rtol());
    }

    private static double[][] outputs(Backend b, DType dtype, long seed, Case c) {
        try (Scope s = Scope.open()) {
            Tensor[] outs = c.body().run(new ParityEnv(b, dtype, seed));
            double[][] host = new double[outs.length][];
            for (int i = 0; i < outs.length; i++) host[i] = b.read(outs[i]);
            return host;
        }
    }

    /** Per-element comparison of every output; NaN anywhere is a mismatch. */
    static Result compare(String name, double[][] actual, double[][] expected, double atol, double rtol) {
        List<String> bad = new ArrayList<>();
        double worst = 0;
        boolean passed = actual.length == expected.length;
        if (!passed) bad.add(actual.length + " outputs, expected " + expected.length);
        for (int o = 0; o < Math.min(actual.length, expected.length); o++) {
            if (actual[o].length != expected[o].length) {
                passed = false;
                bad.add("out" + o + ": " + actual[o].length + " elements, expected " + expected[o].length);
                continue;
            }
            int failed = 0;
            for (int i = 0; i < expected[o].length; i++) {
                double err = Math.abs(actual[o][i] - expected[o][i]);
                if (Double.isNaN(err)) worst = Double.NaN;
                else if (!Double.isNaN(worst)) worst = Math.max(worst, err);
                if (!(err <= atol + rtol * Math.abs(expected[o][i]))) {
                    if (bad.size() < MAX_MISMATCHES) {
                        bad.add("out" + o + "[" + i + "]: got " + actual[o][i] + ", expected " + expected[o][i]);
                    }
                    failed++;
                }
            }
            if (failed > 0) {
                passed = false;
                if (bad.size() < MAX_MISMATCHES + 1) bad.add("out" + o + ": " + failed + " of " + expected[o].length + " elements outside tolerance");
            }
        }
        return new Result(name, worst, atol, rtol, passed, List.copyOf(bad));
    }

    /** The target's weighted-sum backward gw (K = 7, ~35k elements each) over three runs: the same bits. */
    static Result determinism(Backend target, DType dtype) {
        String name = "weightedSum.backward.gw.deterministic";
        double[][] runs = new double[3][];
        try {
            for (int r = 0; r < runs.length; r++) {
                try (Scope s = Scope.open()) {
                    ParityEnv e = new ParityEnv(target, dtype, 42);
                    Tensor[] xs = new Tensor[7];
                    for (int k = 0; k < xs.length; k++) xs[k] = e.rand(4, 8, 33, 33);
                    Tensor w = e.rand(7), gy = e.rand(4, 8, 33, 33), gw = e.out(7);
                    target.weightedSumBackward(xs, w, gy, new Tensor[7], gw);
                    runs[r] = target.read(gw);
                }
            }
        } catch (RuntimeException ex) {
            return new Result(name, Double.NaN, 0, 0, false, List.of("threw " + ex.getClass().getSimpleName() + ": " + ex.getMessage()));
        }
        List<String> bad = new ArrayList<>();
        double worst = 0;
        for (int r = 1; r < runs.length; r++) {
            for (int i = 0; i < runs[0].length; i++) {
                if (Double.doubleToRawLongBits(runs[r][i]) != Double.doubleToRawLongBits(runs[0][i])) {
                    worst = Math.max(worst, Math.abs(runs[r][i] - runs[0][i]));
                    if (bad.size() < MAX_MISMATCHES) bad.add("run" + r + " gw[" + i + "] = " + runs[r][i] + ", run0 gave " + runs[0][i]);
                }
            }
        }
        return new Result(name, worst, 0, 0, bad.isEmpty(), List.copyOf(bad));
    }
}
