package adl.cli.bench;

import adl.backend.ConvParams;

import java.util.ArrayList;
import java.util.List;

/**
 * One convolution shape the search supernet runs: x [n, c, size, size] → y [n, c, ho, wo] with a
 * k×k kernel, dilation {@code dilation}, padding dilation·(k/2) ("same" size), stride 1, and
 * groups = c (depthwise) or 1 (pointwise 1×1). Mirrored by scripts/bench_ops_torch.py.
 */
public record ConvCase(String op, int k, int dilation, boolean depthwise, int c, int size, int n) {

    /** The op kinds of the search space's convolutions (docs/02-search-space.md §2: sep_conv / dil_conv parts). */
    public static final List<ConvCase> KINDS = List.of(
            new ConvCase("dw3x3", 3, 1, true, 0, 0, 0),
            new ConvCase("dw5x5", 5, 1, true, 0, 0, 0),
            new ConvCase("dil_dw3x3", 3, 2, true, 0, 0, 0),
            new ConvCase("dil_dw5x5", 5, 2, true, 0, 0, 0),
            new ConvCase("pw1x1", 1, 1, false, 0, 0, 0));

    /** Filters per block at search level v (F = 8): 8, 16, 32, 64. */
    public static int channels(int level) { return 8 << level; }

    /** Spatial size at level v (rate 4·2^v) of a square crop: ⌈h/2⌉ per stride-2 step (docs/02-search-space.md §5). */
    public static int sizeAt(int crop, int level) {
        int h = crop;
        for (int i = 0; i < level + 2; i++) h = (h + 1) / 2;
        return h;
    }

    /** Every kind at every level 0..3 of every crop, crops outermost, then levels, then kinds. */
    public static List<ConvCase> forCrops(List<Integer> crops, int batch) {
        List<ConvCase> out = new ArrayList<>();
        for (int crop : crops) {
            for (int level = 0; level < 4; level++) {
                for (ConvCase kind : KINDS) {
                    out.add(new ConvCase(kind.op, kind.k, kind.dilation, kind.depthwise, channels(level), sizeAt(crop, level), batch));
                }
            }
        }
        return out;
    }

    public int groups() { return depthwise ? c : 1; }

    public ConvParams params() { return ConvParams.of(1, dilation * (k / 2), dilation, groups()); }

    /** Weight shape [Cout, Cin/groups, k, k]. */
    public int[] weightDims() { return new int[] {c, c / groups(), k, k}; }

    public int[] inputDims() { return new int[] {n, c, size, size}; }

    public int outSize() { return params().outH(size, k); }

    /** Forward FLOPs: 2·k·k·(Cin/groups)·Cout·Ho·Wo·N (a multiply-add counts 2). */
    public double forwardFlops() {
        int o = outSize();
        return 2.0 * k * k * (c / groups()) * c * o * o * n;
    }
}
