package adl.bench.jmh;

import adl.backend.cpu.Parallel;
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
 * The JVM's copy limit on this machine for the same bytes as the weighted sum's forward
 * ((K + 1)·S floats moved, see {@link CopyBench}): {@code arraycopy} is one System.arraycopy of
 * (K + 1)·S/2 floats on one thread; {@code arraycopyPar} splits it into 16 slices run on the
 * engine's worker pool (all cores), as the engine's kernels are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ArrayCopyBench {
    private static final int SLICES = 16;

    @Param({"mixed", "node"}) public String kind;
    @Param({"0", "1", "2", "3"}) public int level;

    private float[] src, dst;

    @Setup(Level.Trial)
    public void setup() {
        int n = Math.toIntExact(CopyBench.movedFloats(kind, level) / 2);
        src = new float[n];
        dst = new float[n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) src[i] = (float) r.nextGaussian();
    }

    @Benchmark
    public float[] arraycopy() {
        System.arraycopy(src, 0, dst, 0, src.length);
        return dst;
    }

    @Benchmark
    public float[] arraycopyPar() {
        int n = src.length;
        Parallel.forEach(SLICES, n / SLICES, i -> {
            int lo = (int) ((long) n * i / SLICES), hi = (int) ((long) n * (i + 1) / SLICES);
            System.arraycopy(src, lo, dst, lo, hi - lo);
        });
        return dst;
    }
}
