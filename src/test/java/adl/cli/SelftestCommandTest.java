package adl.cli;

import adl.backend.Backend;
import adl.backend.LibraryUnavailableException;
import adl.backend.Parity;
import adl.backend.cpu.CpuBackend;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code adl selftest}: the CPU passes every check; a target with one broken primitive fails exactly that check. */
class SelftestCommandTest {
    @Test void cpuPassesEveryCheck() {
        MainTest.Result r = MainTest.run("selftest", "--device", "cpu");
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("selftest: passed=" + Parity.checkCount() + " failed=0", lines.getLast());
        assertEquals(Parity.checkCount() + 1, lines.size());
        assertTrue(lines.getFirst().matches("copy\\.strided +worst=0\\.00+ +tol=0e\\+00\\+0e\\+00·\\|ref\\| +PASS"), lines.getFirst());
    }

    /** CpuBackend with one primitive's first output element pushed by +0.01 after the call. */
    static Backend perturbing(String method, int outputArg) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (p, m, args) -> {
            Object ret;
            try {
                ret = m.invoke(CpuBackend.INSTANCE, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (m.getName().equals(method)) {
                Tensor out = (Tensor) args[outputArg];
                double[] v = CpuBackend.INSTANCE.read(out);
                v[0] += 0.01;
                CpuBackend.INSTANCE.write(out, v);
            }
            return ret;
        });
    }

    @Test void brokenPrimitiveFailsExactlyItsCheck() {
        StringWriter sw = new StringWriter();
        int code = SelftestCommand.run(perturbing("resizeBilinearBackward", 2), new PrintWriter(sw, true));
        assertEquals(1, code);
        List<String> lines = sw.toString().lines().toList();
        List<String> failing = lines.stream().filter(l -> l.endsWith("FAIL")).toList();
        assertEquals(4, failing.size(), sw.toString()); // up/down x alignCorners false/true, backward only
        for (String l : failing) assertTrue(l.startsWith("resize.") && l.contains(".backward "), l);
        int i = lines.indexOf(failing.get(0));
        assertTrue(lines.get(i + 1).startsWith("    out0[0]: got "), lines.get(i + 1));
        assertTrue(lines.get(i + 1).contains(", expected "), lines.get(i + 1));
        assertEquals("selftest: passed=" + (Parity.checkCount() - 4) + " failed=4", lines.getLast());
    }

    /** CpuBackend whose cuDNN-backed primitives (conv, batch norm, pooling) throw as a CUDA backend without cuDNN does. */
    static Backend withoutCudnn() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (p, m, args) -> {
            String n = m.getName();
            if (n.startsWith("conv2d") || n.startsWith("batchNorm") || n.contains("Pool")) {
                throw new LibraryUnavailableException("cuDNN", n, "libcudnn.so.9 not found");
            }
            try {
                return m.invoke(CpuBackend.INSTANCE, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test void missingLibraryChecksAreSkippedNotFailedAndEachNameIsFlushedBeforeItRuns() {
        List<String> flushedBefore = new java.util.ArrayList<>();
        StringWriter sw = new StringWriter();
        PrintWriter out = new PrintWriter(sw) {
            @Override public void flush() {
                super.flush();
                flushedBefore.add(sw.toString());
            }
        };
        assertEquals(0, SelftestCommand.run(withoutCudnn(), out));
        List<String> lines = sw.toString().lines().toList();
        List<String> skipped = lines.stream().filter(l -> l.endsWith("SKIP (cuDNN not available)")).toList();
        // 7 geometries x 3 passes, 2 x 3 batch norm, 2 max pool, 4 average pool, the conv determinism check
        assertEquals(21 + 6 + 2 + 4 + 1, skipped.size(), sw.toString());
        for (String l : skipped) assertTrue(l.matches("(conv2d|batchNorm|maxPool|avgPool)\\S* +SKIP \\(cuDNN not available\\)"), l);
        assertEquals("selftest: passed=" + (Parity.checkCount() - skipped.size()) + " failed=0 skipped=" + skipped.size(), lines.getLast());
        // the output was flushed with the check's name alone on the last line, before its result
        assertTrue(flushedBefore.stream().anyMatch(s -> s.endsWith("conv2d.plain.forward" + " ".repeat(48 - 20 + 1))), "name flushed first");
        assertTrue(flushedBefore.stream().anyMatch(s -> s.matches("(?s).*\\nfill +$")), "name flushed first");
    }

    @Test void brokenMatmulFailsOnlyMatmulChecks() {
        StringWriter sw = new StringWriter();
        assertEquals(1, SelftestCommand.run(perturbing("matmul", 4), new PrintWriter(sw, true)));
        List<String> failing = sw.toString().lines().filter(l -> l.endsWith("FAIL")).toList();
        assertEquals(5, failing.size(), sw.toString());
        for (String l : failing) assertTrue(l.startsWith("matmul."), l);
    }

    @Test void cudaWithoutAUsableGpuSaysWhyAndExitsTwoQuickly() {
        long t0 = System.nanoTime();
        MainTest.Result r = MainTest.run("selftest", "--device", "cuda");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("selftest --device cuda: "), lines.get(0));
        assertTrue(lines.get(0).contains("not available") || lines.get(0).contains("not built yet"), lines.get(0));
        assertTrue(seconds < 10, "took " + seconds + " s");
    }

    @Test void unknownDeviceIsAUsageError() {
        MainTest.Result r = MainTest.run("selftest", "--device", "tpu");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("--device wants cpu or cuda"), r.err());
    }

    @Test void cudaOrdinalWithoutAUsableGpuSaysWhyAndExitsTwo() {
        MainTest.Result r = MainTest.run("selftest", "--device", "cuda:1");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("selftest --device cuda:1: CUDA not available: "), r.err());
    }

    @Test void benchSearchStepOnCudaWithoutAUsableGpuSaysWhyAndExitsTwo() {
        MainTest.Result r = MainTest.run("bench", "search-step", "--device", "cuda", "--crop", "16", "--layers", "1", "--blocks", "1",
                "--iters", "1", "--warmup", "0");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("bench search-step --device cuda: CUDA not available: "), r.err());
    }

    @Test void benchSearchStepOnAutoWithoutAGpuRunsOnTheCpuAfterANotice() {
        MainTest.Result r = MainTest.run("bench", "search-step", "--device", "auto", "--crop", "16", "--layers", "1", "--blocks", "1",
                "--filter-multiplier", "2", "--iters", "1", "--warmup", "0", "--threads", "1");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("bench search-step: no usable GPU ("), r.err());
        assertTrue(r.err().strip().endsWith("); running on the CPU (details: adl devices)"), r.err());
        assertTrue(!r.err().contains("searched:"), "the notice leaves the folder list to adl devices: " + r.err());
        assertTrue(r.out().startsWith("adl-engine bench search-step: cpu,"), r.out());
        assertTrue(r.out().contains("search-step: median_ms="), r.out());
        assertTrue(!r.out().contains("peak_device_mb"), r.out());
    }
}
