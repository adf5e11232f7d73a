package adl.nas;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the cell from α (paper §4.3, as DARTS): the strength of an edge is the largest
 * softmax weight of its non-'none' ops; each block keeps its 2 strongest edges (strongest first,
 * ties to the lower state), each with its strongest non-'none' op (ties to the lower column).
 * 'none' is never chosen. The ops are those of the topology's {@link SearchSpace}.
 */
public final class CellDecoder {
    private CellDecoder() {}

    /** @param alpha α as [edges][K] raw logits, K = the space's op count (softmax is taken here, per row) */
    public static List<CellEdge> decode(double[][] alpha, CellTopology cell) {
        if (alpha.length != cell.edges()) {
            throw new IllegalArgumentException("α has " + alpha.length + " rows, a " + cell.blocks() + "-block cell has " + cell.edges() + " edges");
        }
        SearchSpace space = cell.space();
        List<CellEdge> out = new ArrayList<>();
        for (int b = 0; b < cell.blocks(); b++) {
            int n = cell.inputsOf(b);
            double[] strength = new double[n];
            Primitive[] best = new Primitive[n];
            for (int j = 0; j < n; j++) {
                double[] w = softmax(alpha[cell.edge(b, j)], space);
                int arg = -1;
                for (int k = 0; k < w.length; k++) {
                    if (space.op(k).isZero()) continue;
                    if (arg < 0 || w[k] > w[arg]) arg = k;
                }
                strength[j] = w[arg];
                best[j] = space.op(arg);
            }
            int first = argmaxExcept(strength, -1), second = argmaxExcept(strength, first);
            out.add(new CellEdge(best[first], first));
            out.add(new CellEdge(best[second], second));
        }
        return out;
    }

    private static int argmaxExcept(double[] v, int skip) {
        int arg = -1;
        for (int i = 0; i < v.length; i++) {
            if (i == skip) continue;
            if (arg < 0 || v[i] > v[arg]) arg = i;
        }
        return arg;
    }

    static double[] softmax(double[] row, SearchSpace space) {
        if (row.length != space.size()) {
            throw new IllegalArgumentException("an α row has " + row.length + " entries, expected " + space.size() + " (the ops " + space + ")");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) max = Math.max(max, v);
        double[] e = new double[row.length];
        double sum = 0;
        for (int i = 0; i < row.length; i++) sum += e[i] = Math.exp(row[i] - max);
        for (int i = 0; i < row.length; i++) e[i] /= sum;
        return e;
    }
}
