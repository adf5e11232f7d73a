package adl.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The convolution algorithm choice from a cudnnGet*Algorithm_v7 list: status 0, CUDNN_DETERMINISTIC
 * and CUDNN_FMA_MATH, in cuDNN's order; the perf structs are read at cuDNN 9's offsets
 * (cudnn_cnn.h: {algo, status, time, memory, determinism, mathType, reserved[3]}, 48 bytes).
 */
class ConvAlgorithmsTest {
    static final int FMA = CudnnNative.CUDNN_FMA_MATH, TENSOR_OP = 1, DEFAULT = 0;
    static final int DET = ConvAlgorithms.CUDNN_DETERMINISTIC, NON_DET = 0;

    private static ConvAlgorithms.Perf perf(int algo, int status, int determinism, int mathType) {
        return new ConvAlgorithms.Perf(algo, status, 0.5f, 1024L * algo, determinism, mathType);
    }

    @Test void skipsFailedNonDeterministicAndTf32EntriesInRankOrder() {
        List<ConvAlgorithms.Perf> ranked = List.of(
                perf(1, 0, NON_DET, FMA),     // fastest, but atomics: not reproducible
                perf(6, 0, DET, TENSOR_OP),   // TF32 on Ampere
                perf(2, 0, DET, DEFAULT),     // may be TF32 on Ampere (cuDNN's cudnnMathType_t)
                perf(5, 3000, DET, FMA),      // CUDNN_STATUS_NOT_SUPPORTED for these shapes
                perf(0, 0, DET, FMA),         // the first usable one
                perf(3, 0, DET, FMA));
        assertEquals(0, ConvAlgorithms.choose(ranked).algo());
    }

    @Test void noneUsableIsNullAndTheListIsDescribed() {
        List<ConvAlgorithms.Perf> ranked = List.of(perf(1, 0, NON_DET, FMA), perf(6, 0, DET, TENSOR_OP));
        assertNull(ConvAlgorithms.choose(ranked));
        assertEquals("algo 1 (status 0, non-deterministic, mathType 3), algo 6 (status 0, deterministic, mathType 1)",
                ConvAlgorithms.describe(ranked));
        assertNull(ConvAlgorithms.choose(List.of()));
        assertEquals("an empty list", ConvAlgorithms.describe(List.of()));
    }

    @Test void parsesTheStructLayout() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Cudnn.ALGO_PERF_BYTES * 2, 8);
            for (int i = 0; i < 2; i++) {
                long at = i * Cudnn.ALGO_PERF_BYTES;
                m.set(ValueLayout.JAVA_INT, at, 7 + i);
                m.set(ValueLayout.JAVA_INT, at + 4, i == 0 ? 0 : 2000);
                m.set(ValueLayout.JAVA_FLOAT, at + 8, 1.25f);
                m.set(ValueLayout.JAVA_LONG, at + 16, 123456789012L + i);
                m.set(ValueLayout.JAVA_INT, at + 24, i == 0 ? DET : NON_DET);
                m.set(ValueLayout.JAVA_INT, at + 28, i == 0 ? FMA : DEFAULT);
            }
            List<ConvAlgorithms.Perf> p = ConvAlgorithms.parse(m, 2);
            assertEquals(new ConvAlgorithms.Perf(7, 0, 1.25f, 123456789012L, DET, FMA), p.get(0));
            assertEquals(new ConvAlgorithms.Perf(8, 2000, 1.25f, 123456789013L, NON_DET, DEFAULT), p.get(1));
        }
    }
}
