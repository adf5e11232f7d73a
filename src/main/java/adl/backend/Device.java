package adl.backend;

import adl.tensor.Storage;
import adl.tensor.Tensor;

import java.util.function.Consumer;

/**
 * Where a tensor lives. Each kind of device is served by the backend registered for it in
 * {@link Backends} (the CPU's and CUDA's are wired in at start-up); a CUDA device is opened on first use.
 */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /** A profiler around the CPU backend while {@link #profileCpu} is in effect, else null. */
    private static volatile Backend cpuProfiler;

    /**
     * Routes every CPU dispatch through a fresh {@link ProfilingBackend} until {@link #unprofileCpu}
     * (for {@code bench search-step --profile}); returns it. Install it before work starts, not mid-op.
     */
    public static ProfilingBackend profileCpu() {
        ProfilingBackend p = new ProfilingBackend(Backends.backend(CPU));
        cpuProfiler = p;
        return p;
    }

    /** Back to dispatching CPU tensors straight to the CPU backend. */
    public static void unprofileCpu() { cpuProfiler = null; }

    /**
     * The backend that owns this device; a CUDA device's backend is opened on first use and kept.
     *
     * @throws RuntimeException with the one-line reason when the device is not usable
     */
    public Backend backend() {
        Backend profiler = cpuProfiler;
        if (kind == Kind.CPU && profiler != null) return profiler;
        return Backends.provider(kind).backend(index);
    }

    /** The backend of the device {@code t} lives on. */
    public static Backend backendOf(Tensor t) {
        Storage s = t.storage();
        Backends.Provider[] ps = Backends.providers();
        for (int k = 0; k < ps.length; k++) {
            if (ps[k] == null) continue;
            int ordinal = ps[k].ordinalOf(s);
            if (ordinal < 0) continue;
            Backend profiler = cpuProfiler;
            return k == Kind.CPU.ordinal() && profiler != null ? profiler : ps[k].backend(ordinal);
        }
        throw new IllegalArgumentException("no backend for storage on " + t.deviceName());
    }

    /** The device {@code t} lives on. */
    public static Device of(Tensor t) {
        Storage s = t.storage();
        Backends.Provider[] ps = Backends.providers();
        for (int k = 0; k < ps.length; k++) {
            int ordinal = ps[k] == null ? -1 : ps[k].ordinalOf(s);
            if (ordinal >= 0) return k == Kind.CPU.ordinal() ? CPU : new Device(Kind.values()[k], ordinal);
        }
        throw new IllegalArgumentException("no device for storage on " + t.deviceName());
    }

    /**
     * Parses {@code cpu}, {@code cuda} (= {@code cuda:0}), {@code cuda:N} or {@code auto}. A CUDA device
     * is not opened here (its {@link #backend()} says why it is unusable). {@code auto} is CUDA device 0
     * when it is usable, else the CPU, and then {@code notice} gets the one line
     * {@code no usable GPU (<reason>); running on the CPU}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Device parse(String spec, Consumer<String> notice) {
        switch (spec) {
            case "cpu" -> { return CPU; }
            case "cuda" -> { return new Device(Kind.CUDA, 0); }
            case "auto" -> {
                String reason = new Device(Kind.CUDA, 0).unusableReason();
                if (reason == null) return new Device(Kind.CUDA, 0);
                // the folder list of the reason belongs to `adl devices`; the notice stays one short line
                String brief = reason.replaceFirst(" \\(searched: [^)]*\\)", "");
                notice.accept("no usable GPU (" + brief + "); running on the CPU (details: adl devices)");
                return CPU;
            }
            default -> {
                if (spec.startsWith("cuda:")) {
                    try {
                        int n = Integer.parseInt(spec.substring(5));
                        if (n >= 0) return new Device(Kind.CUDA, n);
                    } catch (NumberFormatException ignored) {
                        // falls through to the error below
                    }
                }
                throw new IllegalArgumentException("device must be cpu, cuda, cuda:N or auto, got '" + spec + "'");
            }
        }
    }

    /** Null when this device can run work (a CUDA device is opened), else the one-line reason it cannot. */
    public String unusableReason() {
        if (kind == Kind.CPU) return null;
        if (!Backends.registered(kind)) return "this program has no " + kind + " backend";
        return Backends.provider(kind).unusableReason(index);
    }

    @Override public String toString() { return kind == Kind.CPU ? "cpu" : "cuda:" + index; }
}
