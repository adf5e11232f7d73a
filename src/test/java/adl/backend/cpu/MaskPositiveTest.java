package adl.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ReLU's backward mask in vectorisable arithmetic (CpuElementwise.maskPositive) against its
 * definition, z = b > 0 ? a : +0, bit for bit: ordinary values, ±0 on both sides, subnormals,
 * ±∞ and NaN (which take the select itself), and z written over a or b.
 */
class MaskPositiveTest {
    private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
        -Float.MAX_VALUE, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};

    private static float definition(float a, float b) { return b > 0 ? a : 0f; }

    private static void check(float[] a, float[] b, String what) {
        float[] z = new float[a.length];
        CpuElementwise.maskPositive(a, b, z, 0, a.length);
        float[] inA = a.clone(), inB = b.clone();
        CpuElementwise.maskPositive(inA, b, inA, 0, a.length);
        CpuElementwise.maskPositive(a, inB, inB, 0, a.length);
        for (int i = 0; i < a.length; i++) {
            int want = Float.floatToRawIntBits(definition(a[i], b[i]));
            String at = what + " at " + i + ": a " + a[i] + ", b " + b[i];
            assertEquals(want, Float.floatToRawIntBits(z[i]), at);
            assertEquals(want, Float.floatToRawIntBits(inA[i]), at + " (z = a)");
            assertEquals(want, Float.floatToRawIntBits(inB[i]), at + " (z = b)");
        }
    }

    @Test void everyFiniteCaseTakesTheArithmeticAndMatchesTheSelect() {
        Random r = new Random(5);
        float[] a = new float[4099], b = new float[4099];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(8) == 0 ? (r.nextBoolean() ? -0f : 0f) : (float) r.nextGaussian();
            b[i] = switch (r.nextInt(5)) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> (float) -Math.abs(r.nextGaussian());
                case 3 -> Float.MIN_VALUE * (1 + r.nextInt(100));
                default -> (float) Math.abs(r.nextGaussian());
            };
        }
        check(a, b, "finite");
    }

    @Test void specialValuesPairwise() {
        int n = SPECIAL.length;
        float[] a = new float[n * n], b = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { a[i * n + j] = SPECIAL[i]; b[i * n + j] = SPECIAL[j]; }
        check(a, b, "special");
        // one non-finite value sends a whole range to the select; the finite pairs alone take the arithmetic
        float[] fa = new float[8 * 8], fb = new float[8 * 8];
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) { fa[i * 8 + j] = SPECIAL[i]; fb[i * 8 + j] = SPECIAL[j]; }
        check(fa, fb, "finite special");
    }
}
