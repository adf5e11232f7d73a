package adl.backend.cpu;

import adl.backend.Backend;
import adl.backend.Device;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.testing.Close;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The pointwise (1x1) convolution at the search's small planes, where {@link CpuPointwise} takes
 * the product transposed: every output element must still be the fma chain over the input
 * channels in increasing order from 0 (the numerics CpuGemm documents), bitwise — checked against
 * that chain written out as plain loops — and close to the F64 reference loops.
 */
class CpuPointwiseTest {
    private static final Backend BE = Device.CPU.backend();

    /** {n, cin, cout, h, w}: the search's levels 2 and 3 at crop 64, and odd sizes on both sides of the switch. */
    private static final int[][] CASES = {
        {2, 64, 64, 2, 2}, {2, 32, 32, 4, 4}, {2, 40, 24, 3, 5}, {3, 7, 33, 5, 6}, {1, 5, 9, 1, 1}, {2, 16, 16, 8, 8}, {2, 8, 40, 4, 8},
    };

    @Test void smallPlanesKeepTheChannelOrderedFmaChainBitwise() {
        for (int[] c : CASES) {
            int n = c[0], cin = c[1], cout = c[2], P = c[3] * c[4];
            try (Scope s = Scope.open()) {
                double[] xv = ConvParityTest.randomValues(11, n * cin * P), wv = ConvParityTest.randomValues(12, cout * cin);
                double[] gv = ConvParityTest.randomValues(13, n * cout * P);
                double[][] got = run(DType.F32, c, xv, wv, gv);
                float[] y = new float[n * cout * P], gx = new float[n * cin * P];
                for (int b = 0; b < n; b++) {
                    for (int p = 0; p < P; p++) {
                        for (int co = 0; co < cout; co++) {
                            float acc = 0f;
                            for (int ci = 0; ci < cin; ci++) acc = Math.fma((float) wv[co * cin + ci], (float) xv[(b * cin + ci) * P + p], acc);
                            y[(b * cout + co) * P + p] = acc;
                        }
                        for (int ci = 0; ci < cin; ci++) {
                            float acc = 0f;
                            for (int co = 0; co < cout; co++) acc = Math.fma((float) wv[co * cin + ci], (float) gv[(b * cout + co) * P + p], acc);
                            gx[(b * cin + ci) * P + p] = acc;
                        }
                    }
                }
                assertArrayEquals(doubles(y), got[0], "forward " + java.util.Arrays.toString(c));
                assertArrayEquals(doubles(gx), got[1], "backward data " + java.util.Arrays.toString(c));
                double[][] ref = run(DType.F64, c, xv, wv, gv);
                double tol = 2e-5 * Math.sqrt(cin * cout);
                Close.assertClose("forward vs F64 " + java.util.Arrays.toString(c), got[0], ref[0], tol, 1e-4);
                Close.assertClose("backward data vs F64 " + java.util.Arrays.toString(c), got[1], ref[1], tol, 1e-4);
                Close.assertClose("backward filter vs F64 " + java.util.Arrays.toString(c), got[2], ref[2], tol * Math.sqrt(n * P), 1e-4);
            }
        }
    }

    @Test void sameBitsOnOneAndTwoThreads() {
        int saved = Parallel.threads();
        try {
            for (int[] c : CASES) {
                try (Scope s = Scope.open()) {
                    double[] xv = ConvParityTest.randomValues(21, c[0] * c[1] * c[3] * c[4]), wv = ConvParityTest.randomValues(22, c[1] * c[2]);
                    double[] gv = ConvParityTest.randomValues(23, c[0] * c[2] * c[3] * c[4]);
                    Parallel.setThreads(1);
                    double[][] one = run(DType.F32, c, xv, wv, gv);
                    Parallel.setThreads(2);
                    double[][] two = run(DType.F32, c, xv, wv, gv);
                    for (int k = 0; k < 3; k++) assertArrayEquals(one[k], two[k], java.util.Arrays.toString(c) + " output " + k);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static double[][] run(DType t, int[] c, double[] xv, double[] wv, double[] gv) {
        ConvParityTest.Case k = new ConvParityTest.Case("pointwise", c[0], c[1], c[2], c[3], c[4], 1, 1, 0, 1, 1);
        return ConvParityTest.run(t, k, xv, wv, gv);
    }

    private static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
