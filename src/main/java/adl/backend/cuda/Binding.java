package adl.backend.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * One bound C function: its exported symbol name and its FFM descriptor. Each library keeps all of
 * its bindings in one static table ({@link CudaDriver#BINDINGS}, {@link Cudnn#BINDINGS},
 * {@link Cublas#BINDINGS}) so tests can compare them against the C headers.
 *
 * <p>Layout vocabulary (64-bit Linux): pointers and opaque handles → ADDRESS; {@code size_t},
 * {@code CUdeviceptr}, {@code long long} → JAVA_LONG; {@code int}, {@code unsigned}, enums →
 * JAVA_INT; {@code float} → JAVA_FLOAT; {@code double} → JAVA_DOUBLE.
 */
public record Binding(String name, FunctionDescriptor descriptor) {
    static final ValueLayout P = ValueLayout.ADDRESS;
    static final ValueLayout I = ValueLayout.JAVA_INT;
    static final ValueLayout L = ValueLayout.JAVA_LONG;
    static final ValueLayout F = ValueLayout.JAVA_FLOAT;
    static final ValueLayout D = ValueLayout.JAVA_DOUBLE;

    /** A function returning a C {@code int}-sized status (CUresult, cudnnStatus_t, cublasStatus_t). */
    static Binding status(String name, MemoryLayout... args) {
        return new Binding(name, FunctionDescriptor.of(I, args));
    }

    /** A function with an arbitrary return layout. */
    static Binding returning(String name, MemoryLayout ret, MemoryLayout... args) {
        return new Binding(name, FunctionDescriptor.of(ret, args));
    }

    /** The argument layouts in order, without names (what the header checks compare). */
    public List<MemoryLayout> argLayouts() {
        return descriptor.argumentLayouts().stream().map(l -> (MemoryLayout) l.withoutName()).toList();
    }

    /** Short spelling of a layout list, e.g. {@code (P, I, L)}, for error messages. */
    public static String spell(List<? extends MemoryLayout> layouts) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < layouts.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(letter(layouts.get(i)));
        }
        return sb.append(')').toString();
    }

    static String letter(MemoryLayout l) {
        MemoryLayout u = l.withoutName();
        if (u.equals(P.withoutName())) return "P";
        if (u.equals(I)) return "I";
        if (u.equals(L)) return "L";
        if (u.equals(F)) return "F";
        if (u.equals(D)) return "D";
        return u.toString();
    }

    static List<Binding> table(Binding... bs) {
        return List.copyOf(Arrays.asList(bs));
    }
}
