package adl.nas;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodingTest {
    final CellTopology cell = new CellTopology(5);

    @Test void edgeNumberingFollowsTheDesign() {
        assertEquals(20, cell.edges());
        assertEquals(0, cell.edge(0, 0));
        assertEquals(2, cell.edge(1, 0));
        assertEquals(5, cell.edge(2, 0));
        assertEquals(9, cell.edge(3, 0));
        assertEquals(14, cell.edge(4, 0));
        assertEquals(19, cell.edge(4, 5));
    }

    @Test void trellisHas45NodesForTwelveLayersAndBorderNodesHaveTwoEdges() {
        TrellisLayout t = new TrellisLayout(12);
        assertEquals(45, t.searchNodes());
        double[][][] beta = new double[12][4][3];
        SplittableRandom r = new SplittableRandom(3);
        for (double[][] a : beta) for (double[] b : a) for (int d = 0; d < 3; d++) b[d] = r.nextGaussian();
        double[][][] hat = t.normalize(beta);
        for (int l = 0; l < 12; l++) {
            for (int u = 0; u < 4; u++) {
                if (!t.exists(l, u)) continue;
                int valid = 0;
                double sum = 0;
                for (int d = 0; d < 3; d++) {
                    if (t.valid(l, u, d)) valid++;
                    sum += hat[l][u][d];
                }
                assertEquals(1.0, sum, 1e-12, "outgoing weights of node (" + l + "," + u + ")");
                boolean border = u == 0 || u == 3;
                assertEquals(border ? 2 : 3, valid, "valid edges of node (" + l + "," + u + ")");
            }
        }
    }

    @Test void viterbiFindsAHandMadeBestPath() {
        TrellisLayout t = new TrellisLayout(4);
        // favour: 0 -> 1 -> 2 -> 2 -> 1 (the wanted path), everything else near zero probability
        int[] wanted = {1, 2, 2, 1};
        double[][][] beta = new double[4][4][3];
        int prev = 0;
        for (int l = 0; l < 4; l++) {
            beta[l][prev][wanted[l] - prev + 1] = 10;
            prev = wanted[l];
        }
        assertArrayEquals(wanted, PathDecoder.decode(t.normalize(beta), t));
    }

    @Test void viterbiPrefersTheProductOverGreedySteps() {
        // greedy from the stem picks level 1 (0.6), but the path staying at level 0 is more probable overall
        TrellisLayout t = new TrellisLayout(2);
        double[][][] hat = new double[2][4][3];
        hat[0][0][1] = 0.4; hat[0][0][2] = 0.6;          // stem: stay 0.4, up 0.6
        hat[1][0][1] = 1.0; hat[1][0][2] = 0.0;          // from (1,0): stay with certainty
        hat[1][1][0] = 0.3; hat[1][1][1] = 0.3; hat[1][1][2] = 0.4;
        assertArrayEquals(new int[] {0, 0}, PathDecoder.decode(hat, t));
    }

    @Test void decodedCellNeverUsesNoneAndKeepsTwoDistinctInputs() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 50; trial++) {
            double[][] alpha = new double[20][8];
            for (double[] row : alpha) {
                for (int k = 0; k < 8; k++) row[k] = r.nextGaussian();
                row[0] += 3; // 'none' strongest everywhere
            }
            List<CellEdge> edges = CellDecoder.decode(alpha, cell);
            assertEquals(10, edges.size());
            for (int b = 0; b < 5; b++) {
                CellEdge x = edges.get(2 * b), y = edges.get(2 * b + 1);
                assertNotEquals(Primitive.NONE, x.op());
                assertNotEquals(Primitive.NONE, y.op());
                assertNotEquals(x.input(), y.input());
                assertTrue(x.input() < 2 + b && y.input() < 2 + b);
            }
        }
    }

    @Test void cellDecodingKeepsTheStrongestEdgesStrongestFirst() {
        double[][] alpha = new double[20][8];
        // block 1 (edges 2, 3, 4): state 2 strongest with sep_conv_5x5, state 0 second with max_pool
        alpha[cell.edge(1, 2)][SearchSpace.PAPER.column(Primitive.SEP_CONV_5X5)] = 5;
        alpha[cell.edge(1, 0)][SearchSpace.PAPER.column(Primitive.MAX_POOL_3X3)] = 3;
        List<CellEdge> edges = CellDecoder.decode(alpha, cell);
        assertEquals(new CellEdge(Primitive.SEP_CONV_5X5, 2), edges.get(2));
        assertEquals(new CellEdge(Primitive.MAX_POOL_3X3, 0), edges.get(3));
    }

    /**
     * Paper §4.3: an edge's strength is its strongest non-zero op's weight in the softmax over all K
     * ops, 'none' included. Edge (block 0, state 0): α = [none 5, sep_conv_3x3 2, others 0] →
     * sep weight e²/(e⁵ + e² + 6) = 7.389/161.80 = 0.0457. Edge (block 0, state 1): α =
     * [dil_conv_5x5 1.5, others 0] → e^1.5/(e^1.5 + 7) = 4.482/11.482 = 0.390. State 1 is kept
     * first although state 0 has the larger raw logit of a real op.
     */
    @Test void edgeStrengthIsTheSoftmaxWeightWithNoneInTheDenominator() {
        SearchSpace space = SearchSpace.PAPER;
        double[][] alpha = new double[20][8];
        alpha[cell.edge(0, 0)][space.column(Primitive.NONE)] = 5;
        alpha[cell.edge(0, 0)][space.column(Primitive.SEP_CONV_3X3)] = 2;
        alpha[cell.edge(0, 1)][space.column(Primitive.DIL_CONV_5X5)] = 1.5;
        List<CellEdge> edges = CellDecoder.decode(alpha, cell);
        assertEquals(new CellEdge(Primitive.DIL_CONV_5X5, 1), edges.get(0));
        assertEquals(new CellEdge(Primitive.SEP_CONV_3X3, 0), edges.get(1));
    }

    /** Ties: equal op weights keep the lower column, equal edge strengths the lower state (α = 0: every block max_pool(0) + max_pool(1)). */
    @Test void tiesGoToTheLowerColumnAndTheLowerState() {
        List<CellEdge> edges = CellDecoder.decode(new double[20][8], cell);
        for (int b = 0; b < 5; b++) {
            assertEquals(new CellEdge(Primitive.MAX_POOL_3X3, 0), edges.get(2 * b), "block " + b);
            assertEquals(new CellEdge(Primitive.MAX_POOL_3X3, 1), edges.get(2 * b + 1), "block " + b);
        }
        // a tied path: uniform β̂ → every path has the same product; ties keep the lower level (stay at 0)
        TrellisLayout t = new TrellisLayout(4);
        assertArrayEquals(new int[] {0, 0, 0, 0}, PathDecoder.decode(t.normalize(new double[4][4][3]), t));
    }

    /** Viterbi (paper §4.3) equals the brute-force argmax of Π β̂ over every path the trellis allows, on random β. */
    @Test void viterbiIsTheMostProbablePathByExhaustiveSearch() {
        SplittableRandom r = new SplittableRandom(19);
        for (int trial = 0; trial < 40; trial++) {
            int layers = 1 + trial % 6;
            TrellisLayout t = new TrellisLayout(layers);
            double[][][] beta = new double[layers][4][3];
            for (double[][] a : beta) for (double[] b : a) for (int d = 0; d < 3; d++) b[d] = 2 * r.nextGaussian();
            double[][][] hat = t.normalize(beta);
            int[] best = null;
            double bestP = -1;
            for (int[] path : allPaths(layers)) {
                double p = 1;
                for (int l = 0, u = 0; l < layers; u = path[l], l++) p *= hat[l][u][path[l] - u + 1];
                if (p > bestP) { bestP = p; best = path; }
            }
            assertArrayEquals(best, PathDecoder.decode(hat, t), "trial " + trial + ", " + layers + " layers");
        }
    }

    /** Every level sequence from the stem (level 0) that moves at most one level per layer within levels 0..3. */
    private static List<int[]> allPaths(int layers) {
        List<int[]> out = new java.util.ArrayList<>();
        int total = (int) Math.pow(3, layers);
        for (int code = 0; code < total; code++) {
            int[] path = new int[layers];
            int v = 0, c = code;
            boolean ok = true;
            for (int l = 0; l < layers && ok; l++) {
                v += c % 3 - 1;
                c /= 3;
                ok = v >= 0 && v < TrellisLayout.LEVELS;
                path[l] = v;
            }
            if (ok) out.add(path);
        }
        return out;
    }

    @Test void architectureJsonRoundTripsInTheDesignSchema() {
        Architecture paper = new Architecture(List.of(
                new CellEdge(Primitive.DIL_CONV_5X5, 1), new CellEdge(Primitive.SEP_CONV_3X3, 0),
                new CellEdge(Primitive.SEP_CONV_3X3, 1), new CellEdge(Primitive.DIL_CONV_3X3, 0),
                new CellEdge(Primitive.SEP_CONV_3X3, 3), new CellEdge(Primitive.SEP_CONV_3X3, 1),
                new CellEdge(Primitive.SEP_CONV_5X5, 4), new CellEdge(Primitive.SEP_CONV_5X5, 2),
                new CellEdge(Primitive.SEP_CONV_5X5, 3), new CellEdge(Primitive.DIL_CONV_5X5, 5)),
                new int[] {0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1}, 8);
        String json = paper.toJson();
        assertTrue(json.contains("\"op\" : \"dil_conv_5x5\""), json);
        assertTrue(json.contains("\"filter_multiplier\" : 8"), json);
        assertEquals(paper, Architecture.fromJson(json));
    }

    @Test void invalidArchitecturesAreRejectedWithTheReason() {
        String badPath = "{\"cell\":[{\"op\":\"skip_connect\",\"input\":0},{\"op\":\"skip_connect\",\"input\":1}],\"path\":[0,2],\"filter_multiplier\":8}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.fromJson(badPath));
        assertTrue(e.getMessage().contains("not reachable"), e.getMessage());
        String badOp = "{\"cell\":[{\"op\":\"conv_7x7\",\"input\":0},{\"op\":\"skip_connect\",\"input\":1}],\"path\":[0],\"filter_multiplier\":8}";
        e = assertThrows(IllegalArgumentException.class, () -> Architecture.fromJson(badOp));
        assertTrue(e.getMessage().contains("conv_7x7"), e.getMessage());
    }
}
