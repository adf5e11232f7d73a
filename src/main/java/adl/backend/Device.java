package adl.backend;

import adl.backend.cpu.CpuBackend;
import adl.backend.cpu.CpuStorage;
import adl.tensor.Tensor;

/** Where a tensor lives. The CPU is always present; CUDA devices come with the CUDA backend. */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /** The backend that owns this device. */
    public Backend backend() {
        return switch (kind) {
            case CPU -> CpuBackend.INSTANCE;
            case CUDA -> throw new UnsupportedOperationException("the CUDA backend is not built yet");
        };
    }

    /** The backend of the device {@code t} lives on. */
    public static Backend backendOf(Tensor t) {
        if (t.storage() instanceof CpuStorage) return CpuBackend.INSTANCE;
        throw new IllegalArgumentException("no backend for storage on " + t.deviceName());
    }

    @Override public String toString() { return kind == Kind.CPU ? "cpu" : "cuda:" + index; }
}
