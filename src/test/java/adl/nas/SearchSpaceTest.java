package adl.nas;

import adl.autograd.Autograd;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Init;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The op table (docs/02-search-space.md §2): the paper's instance, its exports (the JSON the PyTorch
 * twin reads, docs/02's table), and a test-only space with one extra op that searches and decodes.
 */
class SearchSpaceTest {
    static final Primitive SEP_CONV_7X7 = new Primitive("sep_conv_7x7", Primitive.Family.SEP_CONV, 7);
    static final Path JSON = Path.of("scripts/search_space.json");

    @Test void thePaperSpaceIsDartsEightOpsWithNoneFirst() {
        SearchSpace s = SearchSpace.PAPER;
        assertEquals(List.of("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
                "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"), s.names());
        assertEquals(1, s.firstComputedColumn());
        assertEquals(7, s.computed().size());
        assertTrue(s.op(0).isZero() && s.op(3).isIdentity());
        for (int k = 0; k < s.size(); k++) {
            assertEquals(k, s.column(s.op(k)));
            assertEquals(k <= 3, s.op(k).isParameterFree(), s.op(k).paperName());
        }
        assertEquals(Primitive.DIL_CONV_3X3, s.byName("dil_conv_3x3"));
    }

    @Test void invalidTablesAreRejectedWithTheReason() {
        String twice = assertThrows(IllegalArgumentException.class, () -> SearchSpace.PAPER.with(Primitive.SEP_CONV_3X3)).getMessage();
        assertTrue(twice.contains("sep_conv_3x3") && twice.contains("twice"), twice);
        String late = assertThrows(IllegalArgumentException.class,
                () -> new SearchSpace(List.of(Primitive.SKIP_CONNECT, Primitive.NONE))).getMessage();
        assertTrue(late.contains("column 0"), late);
        // the paper's 7 computed ops + 1 fit the CUDA weighted sum (WS_MAX_K = 8); a second extra does not
        SearchSpace eight = SearchSpace.PAPER.with(SEP_CONV_7X7);
        String full = assertThrows(IllegalArgumentException.class,
                () -> eight.with(new Primitive("dil_conv_7x7", Primitive.Family.DIL_CONV, 7))).getMessage();
        assertTrue(full.contains("1..8") && full.contains("got 9"), full);
        assertThrows(IllegalArgumentException.class, () -> new Primitive("conv_4x4", Primitive.Family.SEP_CONV, 4));
        assertThrows(IllegalArgumentException.class, () -> new Primitive("Bad Name", Primitive.Family.IDENTITY, 0));
    }

    @Test void cudaWeightedSumLimitIsTheTableLimit() throws Exception {
        String cu = Files.readString(Path.of("native-kernels/weighted_sum.cu"));
        Matcher m = Pattern.compile("#define WS_MAX_K (\\d+)").matcher(cu);
        assertTrue(m.find(), "WS_MAX_K not found in native-kernels/weighted_sum.cu");
        assertEquals(Integer.parseInt(m.group(1)), SearchSpace.MAX_COMPUTED_OPS);
    }

    /** The PyTorch twin (scripts/search_step_torch.py, scripts/interop/fixed_network_torch.py) reads this export. */
    @Test void committedJsonExportIsCurrent() throws Exception {
        String want = SearchSpace.PAPER.toJson();
        if (Boolean.getBoolean("adl.updateSearchSpaceJson")) Files.writeString(JSON, want);
        assertEquals(want, Files.readString(JSON),
                JSON + " is not the export of SearchSpace.PAPER; rewrite it with -Dadl.updateSearchSpaceJson=true");
    }

    /** docs/02-search-space.md §2: one table row per op, column numbers, names and order as the table. */
    @Test void docsOpTableIsTheTable() throws Exception {
        String doc = Files.readString(Path.of("docs/02-search-space.md"));
        Matcher row = Pattern.compile("(?m)^\\|\\s*(\\d+)\\s*\\|\\s*`([a-z0-9_]+)`\\s*\\|").matcher(doc);
        List<String> names = new java.util.ArrayList<>();
        while (row.find()) {
            assertEquals(names.size(), Integer.parseInt(row.group(1)), "column of `" + row.group(2) + "` in docs/02's op table");
            names.add(row.group(2));
        }
        assertEquals(SearchSpace.PAPER.names(), names, "docs/02-search-space.md §2 op table");
    }

    /** Adding an op is one table entry: a supernet over PAPER + sep_conv_7x7 takes a weight and an architecture step. */
    @Test void aSpaceWithAnExtraOpSearchesAndDecodes() {
        SearchSpace space = SearchSpace.PAPER.with(SEP_CONV_7X7);
        try (Scope outer = Scope.open();
             SuperNet net = new SuperNet(new Init(Device.CPU, DType.F32, 4), new SuperNet.Config(2, 2, 2, 3), space)) {
            assertEquals(Shape.of(net.topology().edges(), 9), net.arch().alpha().shape());
            Map<String, Tensor> named = net.namedParameters();
            Tensor extra = named.get("trellis.cell_1_0.edge0.sep_conv_7x7.op.1.weight");
            assertNotNull(extra, "no sep_conv_7x7 branch in " + named.keySet().stream().filter(k -> k.startsWith("trellis.cell_1_0.edge0.")).toList());
            assertEquals(Shape.of(2, 1, 7, 7), extra.shape()); // depthwise 7×7 on C = F·2^v = 2 channels (level 0)
            Tensor x = Tensors.randn(Device.CPU, DType.F32, Shape.of(2, 3, 17, 19), 5, 0, 1);
            Tensor y = Tensors.ofInts(Device.CPU, Shape.of(2, 17, 19), new int[2 * 17 * 19]);

            // weight step: the extra op's weights get a gradient and move
            double[] before = Tensors.toDoubles(extra);
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : named.entrySet()) if (!e.getKey().startsWith("arch.")) weights.put(e.getKey(), e.getValue());
            try (SGD sgd = new SGD(weights, 0.1, 0.9, 0, false); Scope s = Scope.open()) {
                Autograd.backward(net.loss(x, y), weights.values());
                sgd.step();
                sgd.zeroGrad();
            }
            assertFalse(java.util.Arrays.equals(before, Tensors.toDoubles(extra)), "sep_conv_7x7's weights did not move");

            // architecture step: α's new column 8 gets a gradient and moves
            double[][] alphaBefore = net.arch().alphaValues();
            Map<String, Tensor> arch = new LinkedHashMap<>();
            arch.put("arch.alpha", net.arch().alpha());
            arch.put("arch.beta", net.arch().beta());
            try (Adam adam = new Adam(arch, 3e-3); Scope s = Scope.open()) {
                Autograd.backward(net.loss(x, y), arch.values());
                adam.step();
                adam.zeroGrad();
            }
            double[][] alphaAfter = net.arch().alphaValues();
            for (int e = 0; e < alphaAfter.length; e++) assertTrue(alphaBefore[e][8] != alphaAfter[e][8], "α[" + e + "][8] did not move");

            // decode: sep_conv_7x7 strongest on every edge of block 0 → both kept edges use it
            Architecture a = net.decode();
            assertEquals(4, a.cell().size());
            double[][] hand = new double[net.topology().edges()][9];
            for (double[] row : hand) row[space.column(SEP_CONV_7X7)] = 2;
            hand[1][space.column(SEP_CONV_7X7)] = 3; // state 1 strongest in block 0
            List<CellEdge> cell = CellDecoder.decode(hand, net.topology());
            assertEquals(new CellEdge(SEP_CONV_7X7, 1), cell.get(0));
            assertEquals(new CellEdge(SEP_CONV_7X7, 0), cell.get(1));
            Architecture decoded = new Architecture(cell, new int[] {0, 1}, 2);
            assertTrue(decoded.toJson().contains("\"op\" : \"sep_conv_7x7\""), decoded.toJson());
            assertEquals(decoded, Architecture.fromJson(decoded.toJson(), space));
            String unknown = assertThrows(IllegalArgumentException.class, () -> Architecture.fromJson(decoded.toJson())).getMessage();
            assertTrue(unknown.contains("sep_conv_7x7"), unknown);
        }
    }
}
