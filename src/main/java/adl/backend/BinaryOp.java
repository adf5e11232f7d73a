package adl.backend;

/** Elementwise z = f(a, b) with broadcasting of a and b to z's shape. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** z = a where b > 0, else 0 (the ReLU backward: a = dL/dy, b = x or y). */
    MASK_POSITIVE
}
