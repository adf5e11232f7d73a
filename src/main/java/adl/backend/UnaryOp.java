package adl.backend;

/**
 * Elementwise maps y = f(x, s) where s is a scalar argument (ignored by most ops).
 * Backward rules are composed from binary ops in adl.autograd.
 */
public enum UnaryOp {
    NEG, RELU, EXP, LOG, SQRT,
    /** y = x + s */
    ADD_SCALAR,
    /** y = x * s */
    MUL_SCALAR,
    /** y = x ^ s */
    POW_SCALAR,
    /** y = 1 / x */
    RECIPROCAL
}
