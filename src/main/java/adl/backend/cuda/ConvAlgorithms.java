package adl.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The convolution algorithm choice from a {@code cudnnGetConvolution*Algorithm_v7} list (cuDNN's
 * ranking, best first): the first entry that (1) has status CUDNN_STATUS_SUCCESS, (2) is
 * CUDNN_DETERMINISTIC, so weight gradients have the same bits run to run as the CPU's, and (3) runs
 * with CUDNN_FMA_MATH, so float32 is never computed as TF32 (PyTorch's {@code allow_tf32 = False}
 * asserts the same of the algorithm it picks). docs/05c-kernels.md §3.
 */
final class ConvAlgorithms {
    private ConvAlgorithms() {}

    /** cudnnDeterminism_t CUDNN_DETERMINISTIC. */
    static final int CUDNN_DETERMINISTIC = 1;

    /**
     * One entry of a cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t list (the three structs share
     * the layout {int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3];}).
     */
    record Perf(int algo, int status, float timeMs, long memory, int determinism, int mathType) {
        String describe() {
            return "algo " + algo + " (status " + status + ", " + (determinism == CUDNN_DETERMINISTIC ? "deterministic" : "non-deterministic")
                    + ", mathType " + mathType + ")";
        }
    }

    /** The first {@code count} entries of a perf array of {@link Cudnn#ALGO_PERF_BYTES}-byte structs. */
    static List<Perf> parse(MemorySegment perf, int count) {
        List<Perf> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = i * Cudnn.ALGO_PERF_BYTES;
            out.add(new Perf(perf.get(ValueLayout.JAVA_INT, at), perf.get(ValueLayout.JAVA_INT, at + 4),
                    perf.get(ValueLayout.JAVA_FLOAT, at + 8), perf.get(ValueLayout.JAVA_LONG, at + 16),
                    perf.get(ValueLayout.JAVA_INT, at + 24), perf.get(ValueLayout.JAVA_INT, at + 28)));
        }
        return out;
    }

    /** The first usable entry (see the class comment), or null. */
    static Perf choose(List<Perf> ranked) {
        for (Perf p : ranked) {
            if (p.status() == 0 && p.determinism() == CUDNN_DETERMINISTIC && p.mathType() == CudnnNative.CUDNN_FMA_MATH) return p;
        }
        return null;
    }

    /** "algo 1 (status 0, non-deterministic, mathType 3), ..." for the error when none is usable. */
    static String describe(List<Perf> ranked) {
        if (ranked.isEmpty()) return "an empty list";
        return String.join(", ", ranked.stream().map(Perf::describe).toList());
    }
}
