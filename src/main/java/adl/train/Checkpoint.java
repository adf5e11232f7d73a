package adl.train;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.nn.Module;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A search checkpoint as one safetensors file (docs/10-run-directory.md §2, docs/03-bilevel.md §6): the model's state dict under PyTorch
 * names (weight, bias, running_mean, running_var, num_batches_tracked; α and β as arch.alpha and
 * arch.beta), then the optimizer state ("optimizer.weights.NAME.momentum_buffer",
 * "optimizer.arch.NAME.exp_avg" / "exp_avg_sq" / "step"), and the counters of
 * {@link SearchState} as metadata. Written atomically.
 */
public final class Checkpoint {
    private static final String SGD_PREFIX = "optimizer.weights.", ADAM_PREFIX = "optimizer.arch.";

    private Checkpoint() {}

    /** Writes model, optimizers ({@code adam} may be null: a retrain run) and counters to {@code file}, atomically. */
    public static void save(Path file, Module model, SGD sgd, Adam adam, SearchState state) throws IOException {
        // sources, not copies: each tensor is read when the writer needs its bytes (the file can be
        // hundreds of MB; holding it all as arrays doubled the process's memory at every checkpoint)
        Map<String, Safetensors.Source> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) entries.put(e.getKey(), source(e.getValue()));
        for (Map.Entry<String, Tensor> e : sgd.momentumBuffers().entrySet()) {
            entries.put(SGD_PREFIX + e.getKey() + ".momentum_buffer", source(e.getValue()));
        }
        for (Map.Entry<String, Adam.State> e : adam == null ? Map.<String, Adam.State>of().entrySet() : adam.state().entrySet()) {
            entries.put(ADAM_PREFIX + e.getKey() + ".exp_avg", source(e.getValue().expAvg()));
            entries.put(ADAM_PREFIX + e.getKey() + ".exp_avg_sq", source(e.getValue().expAvgSq()));
            entries.put(ADAM_PREFIX + e.getKey() + ".step", Safetensors.Source.of(Safetensors.Entry.of(new int[] {1}, new long[] {e.getValue().step()})));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("epoch", Integer.toString(state.epoch()));
        meta.put("iter_in_epoch", Integer.toString(state.iterInEpoch()));
        meta.put("iteration", Long.toString(state.iteration()));
        meta.put("arch_steps", Long.toString(state.archSteps()));
        meta.put("best_miou", Double.toString(state.bestMiou()));
        meta.put("seconds", Double.toString(state.seconds()));
        Safetensors.writeSources(file, entries, meta);
    }

    /**
     * Tensor t as stored — I32 as I64, every float dtype as F32 — read a slice at a time (flat views
     * of a contiguous tensor, {@link #READ_ELEMENTS} at a time), so a checkpoint never holds a whole
     * tensor's copy: a large one would be a humongous array to the collector, which then grew the
     * heap at every checkpoint.
     */
    private static Safetensors.Source source(Tensor t) {
        boolean ints = t.dtype() == DType.I32;
        return new Safetensors.Source(ints ? "I64" : "F32", t.shape().dims(), (start, count, dst) -> {
            if (!t.isContiguous()) { // not a parameter or optimizer state (those are contiguous): read whole, per slice
                put(Tensors.toDoubles(t), (int) start, count, ints, dst);
                return;
            }
            double[] buffer = READ_BUFFER.get();
            for (int done = 0; done < count; done += READ_ELEMENTS) {
                int m = Math.min(READ_ELEMENTS, count - done);
                Tensor slice = Tensors.view(t, Shape.of(m), new long[] {1}, t.offset() + start + done);
                try {
                    Device.backendOf(slice).read(slice, buffer);
                    put(buffer, 0, m, ints, dst);
                } finally {
                    slice.close();
                }
            }
        });
    }

    /**
     * Elements per read of {@link #source}: the read comes back as a double[], and 64 Ki of them
     * (512 KB) stay well under G1's humongous-object size (half a region: 2 MB in a heap of a few
     * GB), so they die young instead of occupying old regions.
     */
    private static final int READ_ELEMENTS = 1 << 16;

    /** One read buffer per saving thread, reused by every slice: a checkpoint of the search made 200 MB of double[] garbage without it. */
    private static final ThreadLocal<double[]> READ_BUFFER = ThreadLocal.withInitial(() -> new double[READ_ELEMENTS]);

    /** v[from .. from + n) as little-endian I64 or F32 onto dst. */
    private static void put(double[] v, int from, int n, boolean ints, ByteBuffer dst) {
        for (int i = from; i < from + n; i++) {
            if (ints) dst.putLong((long) v[i]);
            else dst.putFloat((float) v[i]);
        }
    }

    /** Restores model, optimizers (either may be null) and returns the saved counters; warnings (a file without checksums) go to {@code warn}. */
    public static SearchState load(Path file, Module model, SGD sgd, Adam adam, Consumer<String> warn) throws IOException {
        Safetensors.Contents c = read(file, warn);
        SearchState counters = counters(file, c);
        apply(file, c, model, sgd, adam);
        return counters;
    }

    /**
     * A checkpoint read and verified as everything that trusts one needs it (docs/07-guarantees.md):
     * the file's structure and checksums ({@link Safetensors#read}) and every number finite. A file
     * without checksums (written before they existed) is read with one warning line.
     */
    public static Safetensors.Contents read(Path file, Consumer<String> warn) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        if (!c.verified()) warn.accept("warning: " + file + " has no checksums (written by an older adl): loaded without verifying its bytes");
        for (Map.Entry<String, Safetensors.Entry> e : c.entries().entrySet()) {
            String bad = firstNonFinite(e.getValue());
            if (bad != null) throw new IOException(file + ": tensor '" + e.getKey() + "' holds " + bad + " (saved from a diverged run?)");
        }
        return c;
    }

    private static String firstNonFinite(Safetensors.Entry e) {
        if (e.f32() != null) for (float v : e.f32()) if (!Float.isFinite(v)) return Float.toString(v);
        if (e.f64() != null) for (double v : e.f64()) if (!Double.isFinite(v)) return Double.toString(v);
        return null;
    }

    /** The counters in a checkpoint's metadata, each checked to be a number in its range. */
    static SearchState counters(Path file, Safetensors.Contents c) throws IOException {
        Map<String, String> m = c.metadata();
        int epoch = (int) count(file, m, "epoch", Integer.MAX_VALUE), inEpoch = (int) count(file, m, "iter_in_epoch", Integer.MAX_VALUE);
        long iteration = count(file, m, "iteration", Long.MAX_VALUE), archSteps = count(file, m, "arch_steps", iteration);
        double best = number(file, m, "best_miou"), seconds = number(file, m, "seconds");
        if (!(best == Double.NEGATIVE_INFINITY || (best >= 0 && best <= 1))) throw counter(file, "best_miou", m.get("best_miou"), "-Infinity or 0..1");
        if (!(seconds >= 0 && seconds < Double.POSITIVE_INFINITY)) throw counter(file, "seconds", m.get("seconds"), "a finite number >= 0");
        if (inEpoch > iteration) throw counter(file, "iter_in_epoch", m.get("iter_in_epoch"), "at most iteration = " + iteration);
        if (epoch > iteration) throw counter(file, "epoch", m.get("epoch"), "at most iteration = " + iteration);
        return new SearchState(epoch, inEpoch, iteration, archSteps, best, seconds);
    }

    private static long count(Path file, Map<String, String> m, String key, long max) throws IOException {
        String v = m.get(key);
        long n;
        try {
            n = Long.parseLong(v == null ? "" : v.strip());
        } catch (NumberFormatException e) {
            throw counter(file, key, v, "a whole number");
        }
        if (n < 0 || n > max) throw counter(file, key, v, "a whole number from 0 to " + max);
        return n;
    }

    private static double number(Path file, Map<String, String> m, String key) throws IOException {
        try {
            return Double.parseDouble(m.get(key) == null ? "" : m.get(key).strip());
        } catch (NumberFormatException e) {
            throw counter(file, key, m.get(key), "a number");
        }
    }

    private static IOException counter(Path file, String key, String value, String want) {
        return new IOException(file + ": counter '" + key + "' is " + (value == null ? "missing" : "'" + value + "'") + " (want " + want + ")");
    }

    /** A checkpoint that passed {@link #read} and {@link #counters}. */
    public record Intact(Path file, Safetensors.Contents contents, SearchState state) {
        /** Copies its tensors into the model and optimizers (either may be null). */
        public void apply(Module model, SGD sgd, Adam adam) throws IOException { Checkpoint.apply(file, contents, model, sgd, adam); }
    }

    /**
     * The file of {@link #newestIntact} without reports, or null when none is intact or the folder
     * cannot be listed: what a stop on NaN or out of memory names as the last good checkpoint.
     */
    public static Path newestIntactFile(RunFiles files, java.util.function.Function<SearchState, String> mismatch) {
        try {
            Intact i = newestIntact(files.checkpoints(), mismatch, why -> { }, why -> { });
            return i == null ? null : i.file();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The newest of {@code checkpoints} (oldest first) that reads, verifies and has valid counters
     * matching its file name and the run ({@code mismatch}: why the counters cannot belong to this
     * run, or null); each newer one that does not is reported to {@code skipped} with the reason.
     * Null when none is intact.
     */
    public static Intact newestIntact(java.util.List<Path> checkpoints, java.util.function.Function<SearchState, String> mismatch,
                                      Consumer<String> skipped, Consumer<String> warn) {
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            Path p = checkpoints.get(i);
            try {
                Safetensors.Contents c = read(p, warn);
                SearchState st = counters(p, c);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("ckpt-e(\\d+)-i(\\d+)\\.safetensors").matcher(p.getFileName().toString());
                if (m.matches() && (Long.parseLong(m.group(1)) != st.epoch() || Long.parseLong(m.group(2)) != st.iteration())) {
                    throw new IOException(p + ": its counters (epoch " + st.epoch() + ", iteration " + st.iteration() + ") do not match its name");
                }
                String why = mismatch.apply(st);
                if (why != null) throw new IOException(p + ": its counters " + why);
                return new Intact(p, c, st);
            } catch (IOException | RuntimeException e) {
                skipped.accept(e.getMessage());
            }
        }
        return null;
    }

    private static void apply(Path file, Safetensors.Contents c, Module model, SGD sgd, Adam adam) throws IOException {
        try (Scope s = Scope.open()) {
            Device device = model.stateDict().values().stream().findFirst().map(Device::of).orElse(Device.CPU);
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> own : model.stateDict().entrySet()) {
                Safetensors.Entry e = c.entries().get(own.getKey());
                if (e == null) throw new IOException(file + ": no tensor '" + own.getKey() + "' (a checkpoint of another network?)");
                if (!Arrays.equals(e.shape(), own.getValue().shape().dims())) {
                    throw new IOException(file + ": tensor '" + own.getKey() + "' has shape " + Arrays.toString(e.shape()) + ", the network's is "
                            + Arrays.toString(own.getValue().shape().dims()) + " (a checkpoint of another network?)");
                }
                state.put(own.getKey(), tensor(file, own.getKey(), e, own.getValue().dtype(), device));
            }
            model.loadStateDict(state);
            for (Map.Entry<String, Safetensors.Entry> e : c.entries().entrySet()) {
                String k = e.getKey();
                if (sgd != null && k.startsWith(SGD_PREFIX) && k.endsWith(".momentum_buffer")) {
                    String name = k.substring(SGD_PREFIX.length(), k.length() - ".momentum_buffer".length());
                    sgd.loadMomentumBuffer(name, tensor(file, k, e.getValue(), DType.F32, device));
                } else if (adam != null && k.startsWith(ADAM_PREFIX) && k.endsWith(".step")) {
                    String name = k.substring(ADAM_PREFIX.length(), k.length() - ".step".length());
                    Safetensors.Entry m = c.entries().get(ADAM_PREFIX + name + ".exp_avg"), v = c.entries().get(ADAM_PREFIX + name + ".exp_avg_sq");
                    if (m == null || v == null) throw new IOException(file + ": incomplete Adam state for '" + name + "'");
                    long[] step = e.getValue().i64();
                    if (step == null || step.length != 1 || step[0] < 0) throw new IOException(file + ": tensor '" + k + "' is not one I64 step count >= 0");
                    adam.loadState(name, tensor(file, k, m, DType.F32, device), tensor(file, k, v, DType.F32, device), step[0]);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage() + " (a checkpoint of another network?)");
        }
    }

    /**
     * The architecture stored in a checkpoint (paper §4.3): α ("arch.alpha", [E, K] for the K ops of the paper's SearchSpace) decoded into
     * the cell, β ("arch.beta", [L, 4, 3]) into the path by Viterbi. No network is built.
     */
    public static adl.nas.Architecture architecture(Path file, int filterMultiplier, Consumer<String> warn) throws IOException {
        Safetensors.Contents c = read(file, warn);
        Safetensors.Entry a = c.entries().get("arch.alpha"), b = c.entries().get("arch.beta");
        if (a == null || b == null) throw new IOException(file + ": no arch.alpha / arch.beta (not a search checkpoint)");
        if (a.f32() == null || b.f32() == null || a.shape().length != 2 || b.shape().length != 3 || b.shape()[1] != 4 || b.shape()[2] != 3) {
            throw new IOException(file + ": arch.alpha " + java.util.Arrays.toString(a.shape()) + " / arch.beta "
                    + java.util.Arrays.toString(b.shape()) + " are not [E, " + adl.nas.SearchSpace.PAPER.size() + "] / [L, 4, 3]");
        }
        int edges = a.shape()[0], ops = a.shape()[1], layers = b.shape()[0];
        int blocks = (int) Math.round((-3 + Math.sqrt(9 + 8.0 * edges)) / 2);
        adl.nas.CellTopology topology = new adl.nas.CellTopology(blocks);
        if (topology.edges() != edges) throw new IOException(file + ": " + edges + " α rows match no number of blocks");
        double[][] alpha = new double[edges][ops];
        for (int e = 0; e < edges; e++) for (int k = 0; k < ops; k++) alpha[e][k] = a.f32()[e * ops + k];
        double[][][] beta = new double[layers][4][3];
        for (int l = 0; l < layers; l++) for (int u = 0; u < 4; u++) for (int d = 0; d < 3; d++) beta[l][u][d] = b.f32()[(l * 4 + u) * 3 + d];
        adl.nas.TrellisLayout layout = new adl.nas.TrellisLayout(layers);
        return new adl.nas.Architecture(adl.nas.CellDecoder.decode(alpha, topology),
                adl.nas.PathDecoder.decode(layout.normalize(beta), layout), filterMultiplier);
    }

    /** The name and value of the first non-finite number among the model's tensors, or null when all are finite. */
    static String firstNonFinite(Module model) {
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            for (double v : Tensors.toDoubles(e.getValue())) if (!Double.isFinite(v)) return e.getKey() + " holds " + v;
        }
        return null;
    }

    /** Only the model's tensors (for eval, predict), verified as by {@link #read}. */
    public static void loadModel(Path file, Module model, Consumer<String> warn) throws IOException { load(file, model, null, null, warn); }

    private static Tensor tensor(Path file, String name, Safetensors.Entry e, DType dtype, Device device) throws IOException {
        Shape shape = Shape.of(e.shape());
        double[] v = new double[(int) shape.numel()];
        switch (e.dtype()) {
            case "F32" -> { for (int i = 0; i < v.length; i++) v[i] = e.f32()[i]; }
            case "F64" -> System.arraycopy(e.f64(), 0, v, 0, v.length);
            case "I64" -> { for (int i = 0; i < v.length; i++) v[i] = e.i64()[i]; }
            default -> throw new IOException(file + ": tensor '" + name + "' has dtype " + e.dtype());
        }
        if (dtype == DType.I32) { // (num_batches_tracked) Backend.write takes F32/F64 only; the CUDA backend refuses I32
            int[] ints = new int[v.length];
            for (int i = 0; i < v.length; i++) ints[i] = (int) v[i];
            return Tensors.ofInts(device, shape, ints);
        }
        return Tensors.of(device, dtype, shape, v);
    }
}
