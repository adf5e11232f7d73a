package adl.cli;

import adl.backend.Backend;
import adl.backend.Backends;
import adl.backend.Device;
import adl.backend.cpu.CpuBackend;
import adl.backend.cpu.CpuStorage;
import adl.backend.cuda.CudaDevices;
import adl.tensor.Storage;

/**
 * Registers the engine's backends in {@link Backends}: the CPU's, and CUDA's (whose devices open on
 * first use, so a CPU run never loads libcuda). {@code adl.backend} does not import its own
 * implementations (docs/01-tensors-and-autograd.md §7); the entry point wires them in here. Called by
 * {@link Main} before any command runs, and by whatever else starts the engine (the tests, the benchmarks).
 */
public final class BackendWiring {
    private BackendWiring() {}

    private static final Backends.Provider CPU = new Backends.Provider() {
        @Override public Backend backend(int ordinal) {
            if (ordinal != 0) throw new IllegalArgumentException("there is one CPU device, not cpu:" + ordinal);
            return CpuBackend.INSTANCE;
        }

        @Override public String unusableReason(int ordinal) { return ordinal == 0 ? null : "there is one CPU device, not cpu:" + ordinal; }

        @Override public int ordinalOf(Storage s) { return s instanceof CpuStorage ? 0 : -1; }
    };

    /** Registers the CPU and CUDA backends (idempotent). */
    public static void install() {
        Backends.register(Device.Kind.CPU, CPU);
        Backends.register(Device.Kind.CUDA, CudaDevices.PROVIDER);
    }
}
