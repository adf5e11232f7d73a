package adl.backend;

import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The parity suite (docs/05e-gpu-checks.md §2): every primitive of {@link Backend} run on the CPU (the reference)
 * and on a target backend with the same seeded, non-zero inputs, compared per element with
 * |target − cpu| ≤ atol + rtol·|cpu|. Plus determinism checks: the target's weighted-sum backward
 * gw and a convolution's weight gradient are bitwise identical over three runs. With the CPU as
 * target the suite compares the CPU with itself (every check passes with worst = 0), which still
 * exercises the whole suite. A check whose primitive needs a library the target lacks
 * ({@link LibraryUnavailableException}: cuDNN, cuBLAS) is skipped with the reason, not failed.
 * Tolerances assume F32 with exact (non-TF32) matmul and convolution on the target.
 */
public final class Parity {
    private Parity() {}

    /** One check: worst |target − reference| over all its outputs, and the first mismatches (at most 5). */
    public record Result(String name, double worstAbsError, double atol, double rtol, boolean passed,
                         List<String> firstMismatches, String skipped) {
        public Result(String name, double worstAbsError, double atol, double rtol, boolean passed, List<String> firstMismatches) {
            this(name, worstAbsError, atol, rtol, passed, firstMismatches, null);
        }

        /** Not run on the target: {@code why} names the missing library (the selftest prints the reason once, before the checks). */
        static Result skip(String name, double atol, double rtol, String why) {
            return new Result(name, Double.NaN, atol, rtol, true, List.of(), why);
        }

        public boolean wasSkipped() { return skipped != null; }
    }

    /** Told of each check before it runs (so a crash mid-suite leaves its name in the log) and after. */
    public interface Listener {
        void starting(String name);

        void finished(Result r);

        Listener NONE = new Listener() {
            @Override public void starting(String name) {}
            @Override public void finished(Result r) {}
        };
    }

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

    /** How many results {@link #run} returns (the cases plus the determinism checks). */
    public static int checkCount() { return cases().size() + ParityDeterminism.checks().size(); }

    /** Runs the suite in F32 with the CPU as reference. */
    public static List<Result> run(Backend target) { return run(target, Listener.NONE); }

    /** As {@link #run(Backend)}, telling {@code listener} of each check as it starts and ends. */
    public static List<Result> run(Backend target, Listener listener) {
        return run(Backends.backend(Device.CPU), target, DType.F32, listener);
    }

    public static List<Result> run(Backend reference, Backend target, DType dtype) {
        return run(reference, target, dtype, Listener.NONE);
    }

    public static List<Result> run(Backend reference, Backend target, DType dtype, Listener listener) {
        List<Result> results = new ArrayList<>();
        for (Case c : cases()) {
            listener.starting(c.name());
            Result r = check(reference, target, dtype, c);
            listener.finished(r);
            results.add(r);
        }
        for (ParityDeterminism.Check d : ParityDeterminism.checks()) {
            listener.starting(d.name());
            Result r = ParityDeterminism.run(target, dtype, d);
            listener.finished(r);
            results.add(r);
        }
        return results;
    }

    /** Runs one case on both backends (inputs from the same seed) and compares the outputs. */
    static Result check(Backend reference, Backend target, DType dtype, Case c) {
        long seed = c.name().hashCode();
        double[][] expected = outputs(reference, dtype, seed, c);
        double[][] actual;
        try {
            actual = outputs(target, dtype, seed, c);
        } catch (LibraryUnavailableException ex) {
            return Result.skip(c.name(), c.atol(), c.rtol(), ex.library() + " not available");
        } catch (RuntimeException ex) {
            return new Result(c.name(), Double.NaN, c.atol(), c.rtol(), false,
                    List.of("error: " + Parity.why(ex)));
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

    /** The one-line reason an exception gives (its message; the exception itself when it has none). */
    static String why(RuntimeException ex) {
        return ex.getMessage() != null ? ex.getMessage() : ex.toString();
    }
}
