package adl.backend;

import adl.backend.cpu.CpuBackend;
import adl.backend.cpu.CpuStorage;
import adl.backend.cuda.CudaDevices;
import adl.backend.cuda.CudaStorage;
import adl.tensor.Tensor;

import java.util.function.Consumer;

/** Where a tensor lives. The CPU is always present; CUDA devices come with the CUDA backend. */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /** What CPU tensors dispatch to: {@link CpuBackend#INSTANCE}, or a profiler around it. */
    private static volatile Backend cpu = CpuBackend.INSTANCE;

    /**
     * Routes every CPU dispatch through a fresh {@link ProfilingBackend} until {@link #unprofileCpu}
     * (for {@code bench search-step --profile}); returns it. Install it before work starts, not mid-op.
     */
    public static ProfilingBackend profileCpu() {
        ProfilingBackend p = new ProfilingBackend(CpuBackend.INSTANCE);
        cpu = p;
        return p;
    }

    /** Back to dispatching CPU tensors straight to {@link CpuBackend#INSTANCE}. */
    public static void unprofileCpu() { cpu = CpuBackend.INSTANCE; }

    /**
     * The backend that owns this device; a CUDA device's backend is opened on first use and kept.
     *
     * @throws adl.backend.cuda.CudaUnavailableException with the one-line reason when the GPU is not usable
     */
    public Backend backend() {
        return switch (kind) {
            case CPU -> cpu;
            case CUDA -> CudaDevices.backend(index);
        };
    }

    /** The backend of the device {@code t} lives on. */
    public static Backend backendOf(Tensor t) {
        if (t.storage() instanceof CpuStorage) return cpu;
        if (t.storage() instanceof CudaStorage s) return CudaDevices.backend(s.ordinal());
        throw new IllegalArgumentException("no backend for storage on " + t.deviceName());
    }

    /** The device {@code t} lives on. */
    public static Device of(Tensor t) {
        if (t.storage() instanceof CpuStorage) return CPU;
        if (t.storage() instanceof CudaStorage s) return new Device(Kind.CUDA, s.ordinal());
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
                String reason = CudaDevices.unusableReason(0);
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
        return kind == Kind.CPU ? null : CudaDevices.unusableReason(index);
    }

    @Override public String toString() { return kind == Kind.CPU ? "cpu" : "cuda:" + index; }
}
