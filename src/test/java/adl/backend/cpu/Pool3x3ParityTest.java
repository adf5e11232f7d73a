package adl.backend.cpu;

import adl.backend.Backend;
import adl.backend.Device;
import adl.backend.PoolParams;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CpuPool3x3} (the search's 3×3 / stride 1 / pad 1 pooling) against the generic pooling
 * loops, bit for bit: forward and backward of max and average pooling on planes from 1×1 to 16×16,
 * with ties, signed zeros, infinities and NaNs of distinct payloads (max pooling keeps the first
 * maximum or the last NaN, and routes the gradient there; average pooling only has to agree that a
 * NaN is a NaN).
 */
class Pool3x3ParityTest {
    private static final Backend BE = Device.CPU.backend();
    private static final PoolParams P = new PoolParams(3, 1, 1, false);
    private static final int[][] SHAPES = {
        {1, 1, 1, 1}, {2, 3, 1, 5}, {1, 2, 5, 1}, {2, 2, 2, 2}, {1, 3, 2, 3}, {2, 3, 7, 9}, {2, 8, 16, 16}, {3, 5, 11, 4},
        // 64 elements and more: the average pool's shifted-copy form, one row or one column included
        {1, 3, 8, 8}, {2, 4, 9, 13}, {1, 2, 70, 1}, {2, 2, 1, 70}, {1, 1, 2, 40},
    };

    @Test void fastPathAppliesToTheSearchPoolingOnly() {
        assertTrue(CpuPool3x3.applies(P));
        assertTrue(!CpuPool3x3.applies(new PoolParams(3, 2, 1, false)));
        assertTrue(!CpuPool3x3.applies(new PoolParams(3, 1, 1, true)));
        assertTrue(!CpuPool3x3.applies(new PoolParams(2, 1, 1, false)));
    }

    @Test void bitwiseEqualToTheGenericLoops() {
        long seed = 0;
        for (int[] dims : SHAPES) {
            for (boolean special : new boolean[] {false, true}) {
                seed++;
                float[] x = values(seed, dims, special), gy = values(seed + 1000, dims, false);
                int[][] fast = run(dims, x, gy, false), generic = run(dims, x, gy, true);
                String[] what = {"max forward", "max backward", "avg forward", "avg backward"};
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < fast[k].length; i++) {
                        int a = fast[k][i], b = generic[k][i];
                        // a sum of NaNs is NaN; which payload survives depends on the operand order
                        // the JIT picks for an add, so average pooling compares NaN-ness only
                        boolean bothNaN = k >= 2 && Float.isNaN(Float.intBitsToFloat(a)) && Float.isNaN(Float.intBitsToFloat(b));
                        if (a != b && !bothNaN) {
                            throw new AssertionError(what[k] + " " + java.util.Arrays.toString(dims) + (special ? " (special values)" : "")
                                    + " differs at " + i + ": fast " + Float.intBitsToFloat(a) + " (0x" + Integer.toHexString(a)
                                    + "), generic " + Float.intBitsToFloat(b) + " (0x" + Integer.toHexString(b) + ")");
                        }
                    }
                }
            }
        }
    }

    /** Values drawn from a small set (ties) or, with special, also ±0, ±inf and NaNs of distinct payloads. */
    private static float[] values(long seed, int[] dims, boolean special) {
        Random r = new Random(seed);
        int n = dims[0] * dims[1] * dims[2] * dims[3];
        float[] v = new float[n];
        int nan = 0;
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextInt(9) - 4) * 0.375f + (r.nextBoolean() ? 0f : r.nextFloat());
            if (special) {
                int k = r.nextInt(12);
                if (k == 0) v[i] = -0f;
                else if (k == 1) v[i] = 0f;
                else if (k == 2) v[i] = Float.NEGATIVE_INFINITY;
                else if (k == 3) v[i] = Float.POSITIVE_INFINITY;
                else if (k == 4) v[i] = Float.intBitsToFloat(0x7fc00000 + ++nan);
            }
        }
        return v;
    }

    /** {max y, max gx, avg y, avg gx} as raw float bits. */
    private static int[][] run(int[] dims, float[] xv, float[] gv, boolean generic) {
        boolean saved = CpuPool.forceGeneric;
        CpuPool.forceGeneric = generic;
        try (Scope s = Scope.open()) {
            Shape sh = Shape.of(dims);
            Tensor x = Tensors.empty(Device.CPU, DType.F32, sh), gy = Tensors.empty(Device.CPU, DType.F32, sh);
            System.arraycopy(xv, 0, CpuStorage.f32(x), (int) x.offset(), xv.length);
            System.arraycopy(gv, 0, CpuStorage.f32(gy), (int) gy.offset(), gv.length);
            Tensor[] out = new Tensor[4];
            for (int k = 0; k < 4; k++) {
                out[k] = Tensors.empty(Device.CPU, DType.F32, sh);
                java.util.Arrays.fill(CpuStorage.f32(out[k]), Float.NaN); // every element must be written
            }
            BE.maxPoolForward(x, P, out[0]);
            BE.maxPoolBackward(x, gy, P, out[1]);
            BE.avgPoolForward(x, P, out[2]);
            BE.avgPoolBackward(gy, P, out[3]);
            int[][] bits = new int[4][xv.length];
            for (int k = 0; k < 4; k++) {
                float[] a = CpuStorage.f32(out[k]);
                for (int i = 0; i < xv.length; i++) bits[k][i] = Float.floatToRawIntBits(a[(int) out[k].offset() + i]);
            }
            return bits;
        } finally {
            CpuPool.forceGeneric = saved;
        }
    }
}
