package adl.bench;

import adl.backend.Backend;
import adl.backend.ConvParams;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.cpu.Parallel;
import adl.cli.BackendWiring;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.Arrays;

/**
 * Throwaway micro-timing of the F32 convolution kernels (not a test; nothing asserts timings).
 * Run: mvn -o -q test-compile && java -cp target/classes:target/test-classes adl.bench.ConvMicroBench [threads]
 */
public final class ConvMicroBench {
    private ConvMicroBench() {}

    public static void main(String[] args) {
        BackendWiring.install();
        if (args.length > 0) Parallel.setThreads(Integer.parseInt(args[0]));
        System.out.println("threads " + Parallel.threads());
        bench("depthwise 3x3 C32 41x41 N2", 2, 32, 32, 41, 41, 3, ConvParams.of(1, 1, 1, 32));
        bench("dil depthwise 5x5 C32 41x41 N2", 2, 32, 32, 41, 41, 5, ConvParams.of(1, 4, 2, 32));
        bench("1x1 32->32 41x41 N2", 2, 32, 32, 41, 41, 1, ConvParams.of(1, 0, 1, 1));
        bench("dense 3x3 s2 64->128 161x161 N2", 2, 64, 128, 161, 161, 3, ConvParams.of(2, 1, 1, 1));
        bench("depthwise 3x3 C64 11x11 N2", 2, 64, 64, 11, 11, 3, ConvParams.of(1, 1, 1, 64));
        bench("1x1 64->64 11x11 N2", 2, 64, 64, 11, 11, 1, ConvParams.of(1, 0, 1, 1));
    }

    static void bench(String name, int n, int cin, int cout, int h, int w, int k, ConvParams p) {
        Backend be = Device.CPU.backend();
        int ho = p.outH(h, k), wo = p.outW(w, k);
        Tensor x = Tensors.uniform(Device.CPU, DType.F32, Shape.of(n, cin, h, w), 1, -1, 1);
        Tensor wt = Tensors.uniform(Device.CPU, DType.F32, Shape.of(cout, cin / p.groups(), k, k), 2, -1, 1);
        Tensor gy = Tensors.uniform(Device.CPU, DType.F32, Shape.of(n, cout, ho, wo), 3, -1, 1);
        Tensor y = Tensors.empty(Device.CPU, DType.F32, gy.shape()), gx = Tensors.empty(Device.CPU, DType.F32, x.shape());
        Tensor gw = Tensors.empty(Device.CPU, DType.F32, wt.shape());
        double flops = 2.0 * n * cout * ho * wo * (cin / p.groups()) * k * k;
        int reps = (int) Math.max(5, Math.min(2000, 3e9 / flops / 3));
        double[][] t = new double[3][9];
        for (int round = 0; round < 9 + 2; round++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) be.conv2dForward(x, wt, p, y);
            long t1 = System.nanoTime();
            for (int r = 0; r < reps; r++) be.conv2dBackwardData(gy, wt, p, gx);
            long t2 = System.nanoTime();
            for (int r = 0; r < reps; r++) be.conv2dBackwardFilter(x, gy, p, gw);
            long t3 = System.nanoTime();
            if (round >= 2) {
                t[0][round - 2] = (t1 - t0) / 1e6 / reps;
                t[1][round - 2] = (t2 - t1) / 1e6 / reps;
                t[2][round - 2] = (t3 - t2) / 1e6 / reps;
            }
        }
        String[] part = {"fwd", "bwd-data", "bwd-filter"};
        StringBuilder sb = new StringBuilder(String.format("%-34s", name));
        double total = 0;
        for (int i = 0; i < 3; i++) {
            Arrays.sort(t[i]);
            double ms = t[i][4];
            total += ms;
            sb.append(String.format("  %s %.3f ms (%.1f GF/s)", part[i], ms, flops / ms / 1e6));
        }
        sb.append(String.format("  | total %.3f ms (%.1f GF/s)", total, 3 * flops / total / 1e6));
        System.out.println(sb);
    }
}
