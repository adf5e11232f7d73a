package adl.bench.jmh;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.cli.BackendWiring;
import adl.tensor.DType;
import adl.tensor.Tensor;

/**
 * The {@code device} parameter of the suites: {@code cpu} or {@code cuda}. A CUDA variant whose
 * device is unusable fails its @Setup with the one-line reason (bench/run.sh leaves such variants
 * out up front, using {@link GpuProbe}). CUDA timings end with a one-element read back, which
 * waits for the stream: kernel time plus one small device-to-host copy.
 */
final class Devices {
    private Devices() {}

    static { BackendWiring.install(); }

    static Device open(String name) {
        Device d = Device.parse(name, line -> { });
        String reason = d.unusableReason();
        if (reason != null) throw new IllegalStateException("skipping " + name + ": " + reason);
        d.backend();
        return d;
    }

    /** A one-element tensor on {@code d} whose read-back {@link #sync} uses; null on the CPU. */
    static Tensor syncTensor(Device d) {
        return d.kind() == Device.Kind.CPU ? null : Tensors.zeros(d, DType.F32, 1);
    }

    /** Waits for the device's queued work (no-op on the CPU, where every call is synchronous). */
    static void sync(Tensor syncTensor) {
        if (syncTensor != null) Tensors.item(syncTensor);
    }
}
