package adl.train.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic inputs for the plot writers (shared by the tests) and a main that renders the example
 * pictures of docs/img/search-*.png from them. None of these numbers come from a real search run.
 * Run: {@code java -cp target/classes:target/test-classes:<xchart jar> adl.train.plot.PlotExamples docs/img}
 */
public final class PlotExamples {
    public static final String[] OPS = {"none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
            "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"};
    /** The paper's network-level path (Auto-DeepLab Fig. 3): path[l-1] = level of layer l. */
    public static final int[] PAPER_PATH = {0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1};
    /** The paper's cell, two (op, input state) pairs per block. */
    public static final List<String> PAPER_OPS = List.of("dil_conv_5x5", "sep_conv_3x3", "sep_conv_3x3", "dil_conv_3x3",
            "sep_conv_3x3", "sep_conv_3x3", "sep_conv_5x5", "sep_conv_5x5", "sep_conv_5x5", "dil_conv_5x5");
    public static final List<Integer> PAPER_INPUTS = List.of(1, 0, 1, 0, 3, 1, 4, 2, 3, 5);

    private PlotExamples() {}

    /** A search-like log: {@code epochs} × {@code itersPerEpoch} rows, arch steps from {@code archFrom}. */
    public static List<MetricsRow> metrics(int epochs, int itersPerEpoch, int archFrom, long seed) {
        Random r = new Random(seed);
        List<MetricsRow> rows = new ArrayList<>();
        long it = 0;
        for (int ep = 0; ep < epochs; ep++) {
            for (int i = 0; i < itersPerEpoch; i++, it++) {
                double t = it / (double) (epochs * itersPerEpoch);
                double train = 0.45 + 2.1 * Math.exp(-5 * t) + 0.18 * r.nextGaussian() * (1 - 0.5 * t);
                double arch = ep >= archFrom ? 0.75 + 0.6 * Math.exp(-4 * t) + 0.2 * r.nextGaussian() : Double.NaN;
                boolean end = i == itersPerEpoch - 1;
                double val = end ? 0.6 + 1.9 * Math.exp(-4.5 * t) + 0.04 * r.nextGaussian() : Double.NaN;
                double miou = end ? 0.05 + 0.33 * (1 - Math.exp(-3.5 * t)) + 0.01 * r.nextGaussian() : Double.NaN;
                double lr = 0.001 + 0.5 * (0.025 - 0.001) * (1 + Math.cos(Math.PI * t));
                rows.add(new MetricsRow(ep, it, Math.max(0.05, train), arch, val, miou, lr, 1.9 * it));
            }
        }
        return rows;
    }

    /** Raw α for B blocks that favours the given cell's choices over a noisy background. */
    public static double[][] alpha(int blocks, List<String> ops, List<Integer> inputs, long seed) {
        Random r = new Random(seed);
        int edges = blocks * (blocks + 3) / 2;
        double[][] a = new double[edges][OPS.length];
        for (double[] row : a) for (int k = 0; k < row.length; k++) row[k] = 0.35 * r.nextGaussian();
        int start = 0;
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < 2 && ops != null; j++) {
                int e = start + inputs.get(2 * b + j);
                a[e][List.of(OPS).indexOf(ops.get(2 * b + j))] += 1.6 - 0.5 * j;
            }
            a[start][0] += 0.4;
            start += 2 + b;
        }
        return a;
    }

    /** Normalised β̂ [L][4][3] favouring {@code path}; invalid slots are 0. */
    public static double[][][] betaHat(int layers, int[] path, long seed) {
        Random r = new Random(seed);
        double[][][] b = new double[layers][4][3];
        for (int l = 0; l < layers; l++) {
            for (int u = 0; u <= Math.min(l, 3); u++) {
                double sum = 0;
                for (int d = 0; d < 3; d++) {
                    int v = u + d - 1;
                    if (v < 0 || v > 3) continue;
                    b[l][u][d] = Math.exp(0.5 * r.nextGaussian());
                    int from = l == 0 ? 0 : path[l - 1];
                    if (from == u && path != null && path[l] == v) b[l][u][d] += 2.5;
                    sum += b[l][u][d];
                }
                for (int d = 0; d < 3; d++) b[l][u][d] /= sum;
            }
        }
        return b;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "docs/img");
        CurvePlot.write(dir.resolve("search-curves.png"), metrics(40, 150, 20, 7));
        AlphaHeatmap.write(dir.resolve("search-alpha.png"), alpha(5, PAPER_OPS, PAPER_INPUTS, 11), OPS, 5);
        if (args.length > 1) return;
        TrellisPlot.write(dir.resolve("search-trellis.png"), betaHat(12, PAPER_PATH, 13), PAPER_PATH, 12);
        CellPlot.write(dir.resolve("search-cell.png"), PAPER_OPS, PAPER_INPUTS, 5);
    }
}
