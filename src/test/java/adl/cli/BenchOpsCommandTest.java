package adl.cli;

import adl.autograd.ElementwiseOps;
import adl.autograd.ReduceOps;
import adl.backend.cpu.Parallel;
import adl.memory.MemoryStats;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The `bench ops` harness, run with a stand-in for conv2d (y = x · Σw: same output shape, a
 * gradient for both inputs) so it can be checked without the convolution: every case gets a row
 * and nothing stays allocated afterwards (each repetition runs in its own Scope, leaf gradients
 * are released).
 */
class BenchOpsCommandTest {
    @Test void printsOneRowPerCaseAndLeavesNothingAllocated() {
        int[] calls = {0};
        BenchOpsCommand.Conv standIn = (x, w, bias, p) -> {
            calls[0]++;
            assertEquals(null, bias);
            return ElementwiseOps.mul(x, ReduceOps.sumAll(w));
        };
        CommandLine cl = new CommandLine(new BenchOpsCommand(standIn));
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        long liveBefore = MemoryStats.liveStorages();
        int code = cl.execute("--crop", "64", "--warmup", "1", "--iters", "2", "--threads", String.valueOf(Parallel.threads()));
        assertEquals(0, code, err.toString());
        assertEquals(liveBefore, MemoryStats.liveStorages(), "storages left alive by the harness");
        assertEquals(20 * 2 * (2 + 3), calls[0], "20 cases × (fwd, fwd+bwd) × (JIT pass: 1 warm-up + 1 timed; then 1 warm-up + 2 timed)");
        List<String> rows = out.toString().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| op")).toList();
        assertEquals(20, rows.size(), out.toString());
        assertTrue(rows.get(0).startsWith("| dw3x3      |   8 | 16x16   |"), rows.get(0));
        assertTrue(rows.get(19).startsWith("| pw1x1      |  64 | 2x2     |"), rows.get(19));
    }

    @Test void parsesCrops() {
        assertEquals(List.of(64, 321), BenchOpsCommand.parseCrops("both"));
        assertEquals(List.of(321), BenchOpsCommand.parseCrops("321"));
        assertEquals(List.of(64, 128), BenchOpsCommand.parseCrops("64,128"));
    }
}
