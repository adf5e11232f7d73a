package adl.nas;

import adl.nn.AvgPool2d;
import adl.nn.BatchNorm2d;
import adl.nn.DilConv;
import adl.nn.Init;
import adl.nn.MaxPool2d;
import adl.nn.Module;
import adl.nn.SepConv;
import adl.nn.Sequential;

/**
 * One candidate operation of a cell edge (paper §3.1, DARTS): its paper name (as architecture.json,
 * the logs and the state-dict keys spell it), its {@link Family} and its kernel size k. Family and
 * k say everything about how it is built: in the search by {@link #searchBranch} (a branch of
 * {@link MixedOp}, paper Eq. 2), in the retrained network by nas/retrain/CellOps
 * (docs/06-retrain.md §2). Which ops a search offers, and in which α column, is a
 * {@link SearchSpace}; the paper's eight are the constants below, {@link SearchSpace#PAPER}.
 */
public record Primitive(String paperName, Family family, int kernel) {
    /** How an op computes; every family keeps the size and the width of its input at stride 1. */
    public enum Family {
        /** 'none': the zero op; in the softmax of α, never computed. */
        ZERO,
        /** k×k max pool, padding k/2 → BN. */
        MAX_POOL,
        /** k×k average pool, padding k/2, padding not counted → BN. */
        AVG_POOL,
        /** skip_connect: the input itself. */
        IDENTITY,
        /** DARTS separable conv: twice (ReLU → depthwise k×k → pointwise 1×1 → BN). */
        SEP_CONV,
        /** DARTS dilated conv: ReLU → depthwise k×k, dilation 2 → pointwise 1×1 → BN. */
        DIL_CONV
    }

    public static final Primitive NONE = new Primitive("none", Family.ZERO, 0);
    public static final Primitive MAX_POOL_3X3 = new Primitive("max_pool_3x3", Family.MAX_POOL, 3);
    public static final Primitive AVG_POOL_3X3 = new Primitive("avg_pool_3x3", Family.AVG_POOL, 3);
    public static final Primitive SKIP_CONNECT = new Primitive("skip_connect", Family.IDENTITY, 0);
    public static final Primitive SEP_CONV_3X3 = new Primitive("sep_conv_3x3", Family.SEP_CONV, 3);
    public static final Primitive SEP_CONV_5X5 = new Primitive("sep_conv_5x5", Family.SEP_CONV, 5);
    public static final Primitive DIL_CONV_3X3 = new Primitive("dil_conv_3x3", Family.DIL_CONV, 3);
    public static final Primitive DIL_CONV_5X5 = new Primitive("dil_conv_5x5", Family.DIL_CONV, 5);

    public Primitive {
        if (paperName == null || !paperName.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("an op name is lower-case letters, digits and '_' (it is a state-dict key), got '" + paperName + "'");
        }
        boolean sized = family != Family.ZERO && family != Family.IDENTITY;
        if (sized ? kernel < 1 || kernel % 2 == 0 : kernel != 0) {
            throw new IllegalArgumentException("op '" + paperName + "': kernel " + kernel + (sized ? " must be odd and >= 1" : " must be 0 for " + family));
        }
    }

    /** 'none': contributes zero; the decoders never choose it. */
    public boolean isZero() { return family == Family.ZERO; }

    /** skip_connect: the branch is the input tensor itself. */
    public boolean isIdentity() { return family == Family.IDENTITY; }

    /** No weights inside a search cell (zero, identity and the pools, whose BN has no affine parameters). */
    public boolean isParameterFree() { return family != Family.SEP_CONV && family != Family.DIL_CONV; }

    /**
     * The op as a {@link MixedOp} branch on C channels, x: [N, C, H, W] → [N, C, H, W]; null for
     * the identity (the branch is x). BN inside cells has no affine parameters, as in DARTS.
     */
    public Module searchBranch(Init init, int channels) {
        return switch (family) {
            case ZERO -> throw new IllegalArgumentException("'" + paperName + "' is the zero op and is never computed");
            case IDENTITY -> null;
            case MAX_POOL -> new Sequential(new MaxPool2d(kernel, 1, kernel / 2), new BatchNorm2d(init, channels, 1e-5, 0.1, false));
            case AVG_POOL -> new Sequential(new AvgPool2d(kernel, 1, kernel / 2, false), new BatchNorm2d(init, channels, 1e-5, 0.1, false));
            case SEP_CONV -> new SepConv(init, channels, kernel, false);
            case DIL_CONV -> new DilConv(init, channels, kernel, false);
        };
    }

    @Override public String toString() { return paperName; }
}
