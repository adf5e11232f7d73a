package adl.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * A control for {@link WeightedSumBench#forward}: the same sum on plain float[] arrays, one thread,
 * no engine — what the JIT makes of the loop by itself. {@code chunked}: the engine's loop order
 * (per 8192-element chunk: out = w_0·x_0, then out += w_k·x_k); {@code perElement}: one pass,
 * Σ_k over the K inputs per element; {@code chunkedOffsets}: {@code chunked} with each array
 * indexed from its own base offset (all 0 at run time, as in the engine's kernel, which indexes
 * {@code o[oo + lo + i]} and {@code x_k[xo_k + lo + i]}). Same bytes as the forward: (K + 1)·S floats.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PlainWeightedSumBench {
    private static final int CHUNK = 1 << 13;

    @Param({"mixed", "node"}) public String kind;
    @Param({"0", "1", "2", "3"}) public int level;

    private float[][] xs;
    private float[] w, out;
    private int outOffset;
    private int[] xOffsets;

    @Setup(Level.Trial)
    public void setup() {
        int k = Geometry.inputs(kind), n = Math.toIntExact(Geometry.numel(Geometry.sumDims(kind, level)));
        java.util.Random r = new java.util.Random(1);
        xs = new float[k][n];
        for (float[] x : xs) for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        w = new float[k];
        for (int i = 0; i < k; i++) w[i] = r.nextFloat();
        out = new float[n];
        xOffsets = new int[k];
    }

    @Benchmark
    public float[] chunkedOffsets() {
        int n = out.length, oo = outOffset;
        for (int lo = 0; lo < n; lo += CHUNK) {
            int len = Math.min(n, lo + CHUNK) - lo;
            float[] x0 = xs[0];
            float w0 = w[0];
            for (int i = 0, a = oo + lo, b = xOffsets[0] + lo; i < len; i++) out[a + i] = w0 * x0[b + i];
            for (int k = 1; k < xs.length; k++) {
                float[] xk = xs[k];
                float wk = w[k];
                for (int i = 0, a = oo + lo, b = xOffsets[k] + lo; i < len; i++) out[a + i] += wk * xk[b + i];
            }
        }
        return out;
    }

    @Benchmark
    public float[] chunked() {
        int n = out.length;
        for (int lo = 0; lo < n; lo += CHUNK) {
            int hi = Math.min(n, lo + CHUNK);
            float[] x0 = xs[0];
            float w0 = w[0];
            for (int i = lo; i < hi; i++) out[i] = w0 * x0[i];
            for (int k = 1; k < xs.length; k++) {
                float[] xk = xs[k];
                float wk = w[k];
                for (int i = lo; i < hi; i++) out[i] += wk * xk[i];
            }
        }
        return out;
    }

    @Benchmark
    public float[] perElement() {
        int n = out.length, kk = xs.length;
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int k = 0; k < kk; k++) s += w[k] * xs[k][i];
            out[i] = s;
        }
        return out;
    }
}
