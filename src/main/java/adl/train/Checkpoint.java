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
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A search checkpoint as one safetensors file (DESIGN §9): the model's state dict under PyTorch
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
        Map<String, Safetensors.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) entries.put(e.getKey(), entry(e.getValue()));
        for (Map.Entry<String, Tensor> e : sgd.momentumBuffers().entrySet()) {
            entries.put(SGD_PREFIX + e.getKey() + ".momentum_buffer", entry(e.getValue()));
        }
        for (Map.Entry<String, Adam.State> e : adam == null ? Map.<String, Adam.State>of().entrySet() : adam.state().entrySet()) {
            entries.put(ADAM_PREFIX + e.getKey() + ".exp_avg", entry(e.getValue().expAvg()));
            entries.put(ADAM_PREFIX + e.getKey() + ".exp_avg_sq", entry(e.getValue().expAvgSq()));
            entries.put(ADAM_PREFIX + e.getKey() + ".step", Safetensors.Entry.of(new int[] {1}, new long[] {e.getValue().step()}));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("epoch", Integer.toString(state.epoch()));
        meta.put("iter_in_epoch", Integer.toString(state.iterInEpoch()));
        meta.put("iteration", Long.toString(state.iteration()));
        meta.put("arch_steps", Long.toString(state.archSteps()));
        meta.put("best_miou", Double.toString(state.bestMiou()));
        meta.put("seconds", Double.toString(state.seconds()));
        Safetensors.write(file, entries, meta);
    }

    private static Safetensors.Entry entry(Tensor t) {
        double[] v = Tensors.toDoubles(t);
        int[] shape = t.shape().dims();
        if (t.dtype() == DType.I32) {
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) l[i] = (long) v[i];
            return Safetensors.Entry.of(shape, l);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Safetensors.Entry.of(shape, f);
    }

    /** Restores model, optimizers (either may be null) and returns the saved counters. */
    public static SearchState load(Path file, Module model, SGD sgd, Adam adam) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        try (Scope s = Scope.open()) {
            Device device = model.stateDict().values().stream().findFirst().map(Device::of).orElse(Device.CPU);
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> own : model.stateDict().entrySet()) {
                Safetensors.Entry e = c.entries().get(own.getKey());
                if (e == null) throw new IOException(file + ": no tensor '" + own.getKey() + "' (a checkpoint of another network?)");
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
                    adam.loadState(name, tensor(file, k, m, DType.F32, device), tensor(file, k, v, DType.F32, device), e.getValue().i64()[0]);
                }
            }
        }
        Map<String, String> m = c.metadata();
        try {
            return new SearchState(Integer.parseInt(m.get("epoch")), Integer.parseInt(m.get("iter_in_epoch")),
                    Long.parseLong(m.get("iteration")), Long.parseLong(m.get("arch_steps")),
                    Double.parseDouble(m.get("best_miou")), Double.parseDouble(m.get("seconds")));
        } catch (RuntimeException e) {
            throw new IOException(file + ": missing or unreadable search counters in its metadata " + m, e);
        }
    }

    /**
     * The architecture stored in a checkpoint (paper §4.3): α ("arch.alpha", [E, 8]) decoded into
     * the cell, β ("arch.beta", [L, 4, 3]) into the path by Viterbi. No network is built.
     */
    public static adl.nas.Architecture architecture(Path file, int filterMultiplier) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Safetensors.Entry a = c.entries().get("arch.alpha"), b = c.entries().get("arch.beta");
        if (a == null || b == null) throw new IOException(file + ": no arch.alpha / arch.beta (not a search checkpoint)");
        if (a.shape().length != 2 || b.shape().length != 3 || b.shape()[1] != 4 || b.shape()[2] != 3) {
            throw new IOException(file + ": arch.alpha " + java.util.Arrays.toString(a.shape()) + " / arch.beta "
                    + java.util.Arrays.toString(b.shape()) + " are not [E, 8] / [L, 4, 3]");
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

    /** Only the model's tensors (for decode, eval, predict). */
    public static void loadModel(Path file, Module model) throws IOException { load(file, model, null, null); }

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
