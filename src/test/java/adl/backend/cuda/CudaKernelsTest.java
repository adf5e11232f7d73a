package adl.backend.cuda;

import adl.backend.BinaryOp;
import adl.backend.UnaryOp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The typed kernel wrappers against a recording launcher (no GPU): each packs exactly the parameter
 * list its PTX entry declares, in order, with the README's grid and block.
 */
class CudaKernelsTest {
    /** One recorded launch, its values read back through the kernelParams address array. */
    record Launch(String entry, int grid, int block, String kinds, List<Object> values, long stream) {}

    static final class Recorder implements CudaKernels.Launcher {
        final List<Launch> launches = new ArrayList<>();

        @Override public void launch(String entry, int gridX, int blockX, KernelArgs args, long stream) {
            MemorySegment arr = args.pointers();
            List<Object> vals = new ArrayList<>();
            String kinds = args.kinds();
            for (int i = 0; i < kinds.length(); i++) {
                MemorySegment v = arr.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(8);
                vals.add(switch (kinds.charAt(i)) {
                    case 'p', 'l' -> v.get(ValueLayout.JAVA_LONG, 0);
                    case 'i' -> v.get(ValueLayout.JAVA_INT, 0);
                    case 'f' -> v.get(ValueLayout.JAVA_FLOAT, 0);
                    case 'd' -> v.get(ValueLayout.JAVA_DOUBLE, 0);
                    default -> throw new AssertionError(kinds);
                });
            }
            launches.add(new Launch(entry, gridX, blockX, kinds, vals, stream));
        }

        Launch only() {
            assertEquals(1, launches.size(), "launches: " + launches);
            return launches.getFirst();
        }
    }

    /** Entry point -> declared parameter classes from kernels-ptx/*.ptx (p: .u64/.b64/.s64, i: 32-bit int, f, d). */
    static Map<String, String> ptxSignatures() throws IOException {
        Pattern entry = Pattern.compile("\\.visible\\s+\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
        Pattern param = Pattern.compile("\\.param\\s+\\.(\\w+)\\s");
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("kernels-ptx"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".ptx")).sorted().toList()) {
                Matcher m = entry.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    StringBuilder k = new StringBuilder();
                    Matcher p = param.matcher(m.group(2));
                    while (p.find()) {
                        k.append(switch (p.group(1)) {
                            case "u64", "b64", "s64" -> 'p';
                            case "u32", "s32", "b32" -> 'i';
                            case "f32" -> 'f';
                            case "f64" -> 'd';
                            default -> throw new AssertionError(f + ": " + m.group(1) + " has a ." + p.group(1) + " parameter");
                        });
                    }
                    out.put(m.group(1), k.toString());
                }
            }
        }
        return out;
    }

    static final long S = 0xabcL;
    static final int[] D = {2, 3, 5, 7}, ST = {105, 35, 7, 1}, ST0 = {0, 1, 0, 0};

    /** Calls every wrapper once; returns the launches by entry. */
    static Map<String, Launch> callEverything() {
        Recorder r = new Recorder();
        CudaKernels k = new CudaKernels(r);
        k.weightedSumForward(10, new long[] {11, 12, 13}, 14, 1001, S);
        k.weightedSumBackwardGx(new long[] {21, 0, 23}, 24, 25, 1001, S);
        k.weightedSumBackwardGw(31, 32, 33, new long[] {34, 35}, 100_000, S);
        k.softmaxForward(41, 42, 3, 10, 17, true, S);
        k.softmaxBackward(43, 44, 45, 3, 10, 17, false, S);
        k.crossEntropyForward(51, 52, 53, 54, 55, 2, 19, 4096, 255, S);
        k.crossEntropyBackward(56, 57, 58, 59, 60, 2, 19, 4096, 255, S);
        k.resizeBilinearForward(61, 62, 6, 4, 5, 8, 10, true, S);
        k.resizeBilinearBackward(63, 64, 6, 4, 5, 8, 10, false, S);
        k.unary(UnaryOp.POW_SCALAR, 71, 2.5f, 72, 300, S);
        k.binary(BinaryOp.MASK_POSITIVE, 73, ST, 74, ST0, 75, D, S);
        k.fillF32(76, 513, -1.5f, S);
        k.fillI32(77, 513, 9, S);
        k.copyStridedF32(78, ST, 79, new int[] {105, 35, 7, 1}, D, S);
        k.copyStridedI32(80, ST, 81, ST, D, S);
        k.sumTo(82, D, ST, 83, new int[] {1, 3, 1, 1}, S);
        k.sgd(91, 92, 93, 1000, 94, 95, 0.9f, 1e-4f, true, S);
        k.adam(96, 97, 98, 99, 1000, 100, 101, 0.9, 0.999, 1e-8, 0.01, S);
        Map<String, Launch> by = new TreeMap<>();
        for (Launch l : r.launches) {
            assertEquals(CudaKernels.BLOCK, l.block(), l.entry());
            assertEquals(S, l.stream(), l.entry());
            assertTrue(by.put(l.entry(), l) == null, "launched twice: " + l.entry());
        }
        return by;
    }

    @Test
    void everyPtxEntryHasAWrapperThatPacksItsDeclaredParameters() throws IOException {
        Map<String, String> ptx = ptxSignatures();
        Map<String, Launch> got = callEverything();
        assertEquals(ptx.keySet(), got.keySet(), "entry points in kernels-ptx vs wrappers");
        assertEquals(ptx.keySet(), new java.util.TreeSet<>(CudaKernels.ENTRY_FILE.keySet()));
        for (var e : ptx.entrySet()) {
            String kinds = got.get(e.getKey()).kinds().replace('l', 'p');
            assertEquals(e.getValue(), kinds, e.getKey() + ": PTX parameters vs packed arguments");
        }
    }

    @Test
    void entryFilesAreOnTheClasspathAndDeclareTheirEntries() {
        for (var e : CudaKernels.ENTRY_FILE.entrySet()) {
            String text = new String(CudaModules.ptx(e.getValue()), StandardCharsets.UTF_8);
            assertTrue(text.contains(".entry " + e.getKey() + "("), e.getKey() + " in " + e.getValue() + ".ptx");
        }
    }

    @Test
    void launchRules() {
        assertEquals(1, CudaKernels.reductionGrid(0));
        assertEquals(1, CudaKernels.reductionGrid(8192));
        assertEquals(2, CudaKernels.reductionGrid(8193));
        assertEquals(256, CudaKernels.reductionGrid(256L * 8192));
        assertEquals(256, CudaKernels.reductionGrid(1L << 40));
        assertEquals(1, CudaKernels.strideGrid(0));
        assertEquals(1, CudaKernels.strideGrid(256));
        assertEquals(2, CudaKernels.strideGrid(257));

        Map<String, Launch> l = callEverything();
        assertEquals(1, l.get("weighted_sum_fwd_f32").grid());                 // ceil(ceil(1001/4)/256)
        assertEquals(4, l.get("weighted_sum_bwd_gx_f32").grid());              // ceil(1001/256)
        assertEquals(13, l.get("weighted_sum_bwd_gw_partial_f32").grid());     // ceil(100000/8192)
        assertEquals(2, l.get("weighted_sum_bwd_gw_final_f32").grid());        // K
        assertEquals(1, l.get("cross_entropy_fwd_partial_f32").grid());        // ceil(2*4096/8192)
        assertEquals(1, l.get("cross_entropy_fwd_final_f32").grid());
        assertEquals(32, l.get("cross_entropy_bwd_f32").grid());               // 8192 pixels
        assertEquals(1, l.get("softmax_fwd_f32").grid());                      // 51 vectors
        assertEquals(2, l.get("resize_bilinear_fwd_f32").grid());              // 6*8*10 = 480
        assertEquals(1, l.get("resize_bilinear_bwd_f32").grid());              // 6*4*5 = 120
        assertEquals(1, l.get("binary_f32").grid());                           // 210
        assertEquals(3, l.get("fill_f32").grid());                             // 513
        assertEquals(1, l.get("sum_to_f32").grid());
        assertEquals(4, l.get("adam_f32").grid());
    }

    @Test
    void argumentOrder() {
        Map<String, Launch> l = callEverything();
        assertEquals(List.of(10L, 11L, 12L, 13L, 0L, 0L, 0L, 0L, 0L, 14L, 3, 1001), l.get("weighted_sum_fwd_f32").values());
        assertEquals(List.of(21L, 0L, 23L, 0L, 0L, 0L, 0L, 0L, 24L, 25L, 3, 0b101, 1001), l.get("weighted_sum_bwd_gx_f32").values());
        assertEquals(List.of(32L, 33L, 34L, 35L, 0L, 0L, 0L, 0L, 0L, 0L, 2, 100_000), l.get("weighted_sum_bwd_gw_partial_f32").values());
        assertEquals(List.of(31L, 32L, 13), l.get("weighted_sum_bwd_gw_final_f32").values());
        assertEquals(List.of(41L, 42L, 3, 10, 17, 1), l.get("softmax_fwd_f32").values());
        assertEquals(List.of(43L, 44L, 45L, 3, 10, 17, 0), l.get("softmax_bwd_f32").values());
        assertEquals(List.of(53L, 54L, 55L, 2, 19, 4096, 255), l.get("cross_entropy_fwd_partial_f32").values());
        assertEquals(List.of(51L, 52L, 53L, 1), l.get("cross_entropy_fwd_final_f32").values());
        assertEquals(List.of(56L, 57L, 58L, 59L, 60L, 2, 19, 4096, 255), l.get("cross_entropy_bwd_f32").values());
        assertEquals(List.of(61L, 62L, 6, 4, 5, 8, 10, 1), l.get("resize_bilinear_fwd_f32").values());
        assertEquals(List.of(63L, 64L, 6, 4, 5, 8, 10, 0), l.get("resize_bilinear_bwd_f32").values());
        assertEquals(List.of(71L, 72L, 300, UnaryOp.POW_SCALAR.ordinal(), 2.5f), l.get("unary_f32").values());
        assertEquals(List.of(73L, 74L, 75L, BinaryOp.MASK_POSITIVE.ordinal(), 210, 3, 5, 7, 105, 35, 7, 1, 0, 1, 0, 0),
                l.get("binary_f32").values());
        assertEquals(List.of(76L, 513, -1.5f), l.get("fill_f32").values());
        assertEquals(List.of(77L, 513, 9), l.get("fill_i32").values());
        assertEquals(List.of(78L, 79L, 210, 3, 5, 7, 105, 35, 7, 1, 105, 35, 7, 1), l.get("copy_strided_f32").values());
        assertEquals(List.of(80L, 81L, 210, 3, 5, 7, 105, 35, 7, 1, 105, 35, 7, 1), l.get("copy_strided_i32").values());
        assertEquals(List.of(82L, 83L, 3, 2, 3, 5, 7, 105, 35, 7, 1, 1, 3, 1, 1), l.get("sum_to_f32").values());
        assertEquals(List.of(91L, 92L, 93L, 1000, 94L, 95L, 0.9f, 1e-4f, 1), l.get("sgd_f32").values());
        assertEquals(List.of(96L, 97L, 98L, 99L, 1000, 100L, 101L, 0.9, 0.999, 1e-8, 0.01), l.get("adam_f32").values());
    }

    @Test
    void badArgumentsAreRejectedBeforeLaunch() {
        Recorder r = new Recorder();
        CudaKernels k = new CudaKernels(r);
        assertThrows(IllegalArgumentException.class, () -> k.weightedSumForward(1, new long[9], 2, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> k.weightedSumForward(1, new long[0], 2, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> k.binary(BinaryOp.ADD, 1, new int[3], 2, ST, 3, D, 0));
        assertThrows(IllegalArgumentException.class, () -> k.sumTo(1, D, ST, 2, new int[] {1, 2, 1, 1}, 0));
        assertThrows(IllegalArgumentException.class, () -> k.sgd(1, 2, 0, 10, 3, 4, 0.9f, 0f, false, 0));
        assertTrue(r.launches.isEmpty());
    }

    @Test void aFailedLaunchNamesTheKernelAndItsArguments() {
        CudaKernels k = new CudaKernels((entry, gridX, blockX, args, stream) -> {
            throw new CudaException("CUDA driver", "cuLaunchKernel", 1, "CUDA_ERROR_INVALID_VALUE", "invalid argument",
                    "grid=" + gridX + "x1x1, block=" + blockX + "x1x1, shared=0");
        });
        CudaException e = assertThrows(CudaException.class, () -> k.fillF32(0x7f00L, 300, 0.5f, 0));
        assertEquals("CUDA driver cuLaunchKernel(kernel fill_f32(p 0x7f00, i 300, f 0.5), grid=2x1x1, block=256x1x1, shared=0)"
                + " failed: CUDA_ERROR_INVALID_VALUE (1): invalid argument", e.getMessage());
        assertEquals(1, e.code());
    }
}
