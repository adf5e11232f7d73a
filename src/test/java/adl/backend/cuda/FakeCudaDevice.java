package adl.backend.cuda;

import java.util.List;

/**
 * {@link HostDevice} for tests outside this package: a {@link CudaBackend} on host memory with the
 * data-movement kernels and {@code sgd_f32} emulated, and fake graph capture / replay.
 */
public final class FakeCudaDevice {
    private final HostDevice dev = new HostDevice();
    private final CudaBackend backend = dev.backend();

    public CudaBackend backend() { return backend; }

    /** The driver's graph calls so far: begin, end, instantiate, launch, sync, destroy. */
    public List<String> graphCalls() { return dev.graphCalls; }

    /** Kernels launched through the Java path (not counting replays). */
    public int eagerLaunches() { return dev.launches.size(); }

    /** Kernels run by graph replays. */
    public int replayedLaunches() { return dev.replayedLaunches; }

    /** How many times the allocator asked the (fake) driver for memory. */
    public long driverAllocations() { return backend.allocator().driverAllocations(); }
}
