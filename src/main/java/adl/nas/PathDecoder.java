package adl.nas;

/**
 * Decodes the network-level path with the Viterbi algorithm (paper §4.3): the path of maximum
 * Π β̂ through the trellis, starting at the stem node (layer 0, level 0) with probability 1,
 * through layers 1..L, ending at the most probable node of layer L. Computed in log space;
 * ties go to the lower level (both for predecessors and for the final node).
 */
public final class PathDecoder {
    private PathDecoder() {}

    /**
     * @param betaHat β̂ [L][4][3] (already normalised per node, e.g. by {@link TrellisLayout#normalize})
     * @return path[l − 1] = level of layer l, for l = 1..L
     */
    public static int[] decode(double[][][] betaHat, TrellisLayout t) {
        int L = t.layers();
        double[][] score = new double[L + 1][TrellisLayout.LEVELS];
        int[][] from = new int[L + 1][TrellisLayout.LEVELS];
        for (double[] row : score) java.util.Arrays.fill(row, Double.NEGATIVE_INFINITY);
        score[0][0] = 0;
        for (int l = 1; l <= L; l++) {
            for (int v = 0; v < TrellisLayout.LEVELS; v++) {
                if (!t.exists(l, v)) continue;
                for (int u = v - 1; u <= v + 1; u++) { // lower predecessor first: ties keep it
                    int d = v - u + 1;
                    if (u < 0 || !t.valid(l - 1, u, d) || score[l - 1][u] == Double.NEGATIVE_INFINITY) continue;
                    double s = score[l - 1][u] + Math.log(betaHat[l - 1][u][d]);
                    if (s > score[l][v]) {
                        score[l][v] = s;
                        from[l][v] = u;
                    }
                }
            }
        }
        int best = 0;
        for (int v = 1; v < TrellisLayout.LEVELS; v++) if (score[L][v] > score[L][best]) best = v;
        int[] path = new int[L];
        for (int l = L, v = best; l >= 1; l--) {
            path[l - 1] = v;
            v = from[l][v];
        }
        return path;
    }
}
