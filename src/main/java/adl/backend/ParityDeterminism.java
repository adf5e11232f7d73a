package adl.backend;

import adl.backend.Parity.Result;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The determinism checks of the parity suite: a gradient that sums many products, computed three
 * times on the target from the same inputs, must come out with the same bits each time, as the
 * CPU's do. On CUDA this is what rules out atomics-order reductions and cuDNN algorithms that are
 * not CUDNN_DETERMINISTIC (docs/05c-kernels.md §2–3).
 */
final class ParityDeterminism {
    private ParityDeterminism() {}

    /** One check: its name and a body that makes inputs through the env and returns the gradient. */
    record Check(String name, Parity.Body body) {}

    static List<Check> checks() {
        return List.of(
                // K = 7, ~35k elements each: gw[k] = Σ xs[k]·gy
                new Check("weightedSum.backward.gw.deterministic", e -> {
                    Tensor[] xs = new Tensor[7];
                    for (int k = 0; k < xs.length; k++) xs[k] = e.rand(4, 8, 33, 33);
                    Tensor w = e.rand(7), gy = e.rand(4, 8, 33, 33), gw = e.out(7);
                    e.b.weightedSumBackward(xs, w, gy, new Tensor[7], gw);
                    return new Tensor[] {gw};
                }),
                // x, gy [4, 16, 17, 17], 3x3 pad 1: each gw element sums 4·17·17 products
                new Check("conv2d.backwardFilter.deterministic", e -> {
                    Tensor x = e.rand(4, 16, 17, 17), gy = e.rand(4, 16, 17, 17), gw = e.out(16, 16, 3, 3);
                    e.b.conv2dBackwardFilter(x, gy, ConvParams.of(1, 1, 1, 1), gw);
                    return new Tensor[] {gw};
                }));
    }

    /** Runs {@code c} three times on {@code target} (same seed) and compares the bits of every run with the first. */
    static Result run(Backend target, DType dtype, Check c) {
        double[][] runs = new double[3][];
        try {
            for (int r = 0; r < runs.length; r++) {
                try (Scope s = Scope.open()) {
                    runs[r] = target.read(c.body().run(new ParityEnv(target, dtype, 42))[0]);
                }
            }
        } catch (LibraryUnavailableException ex) {
            return Result.skip(c.name(), 0, 0, ex.library() + " not available");
        } catch (RuntimeException ex) {
            return new Result(c.name(), Double.NaN, 0, 0, false, List.of("error: " + Parity.why(ex)));
        }
        List<String> bad = new ArrayList<>();
        double worst = 0;
        for (int r = 1; r < runs.length; r++) {
            for (int i = 0; i < runs[0].length; i++) {
                if (Double.doubleToRawLongBits(runs[r][i]) != Double.doubleToRawLongBits(runs[0][i])) {
                    worst = Math.max(worst, Math.abs(runs[r][i] - runs[0][i]));
                    if (bad.size() < Parity.MAX_MISMATCHES) bad.add("run" + r + " [" + i + "] = " + runs[r][i] + ", run0 gave " + runs[0][i]);
                }
            }
        }
        return new Result(c.name(), worst, 0, 0, bad.isEmpty(), List.copyOf(bad));
    }
}
