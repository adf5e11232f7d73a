package adl.backend.cpu;

import java.util.concurrent.atomic.LongAdder;

/**
 * The floating-point operations of the CPU backend's F32 and F64 convolutions since start-up, as
 * {@code bench search-step} reports them (docs/performance.md): a multiply-add counts 2, so a call
 * counts 2·N·Cout·Ho·Wo·(Cin/groups)·kh·kw, the same for the forward, the data gradient and the
 * filter gradient (the same products, summed over other indices). Counted per call from its
 * shapes, whichever kernel (GEMM, depthwise loops, reference) runs it.
 */
public final class ConvFlops {
    private static final LongAdder TOTAL = new LongAdder();

    private ConvFlops() {}

    /** Operations counted so far (all threads). */
    public static long total() { return TOTAL.sum(); }

    static void add(long flops) { TOTAL.add(flops); }

    /** 2·N·Cout·Ho·Wo·cinPerGroup·taps. */
    static long of(int n, int cout, int outPlane, int cinPerGroup, int taps) {
        return 2L * n * cout * outPlane * cinPerGroup * taps;
    }
}
