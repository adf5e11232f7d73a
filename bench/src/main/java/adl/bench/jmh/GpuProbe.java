package adl.bench.jmh;

import adl.backend.Device;
import adl.cli.BackendWiring;

/**
 * Used by bench/run.sh before the run: prints {@code cuda} when CUDA device 0 is usable, else
 * one line {@code no usable GPU (<reason>)}; exit status 0 either way.
 */
public final class GpuProbe {
    private GpuProbe() {}

    public static void main(String[] args) {
        String reason;
        BackendWiring.install();
        try {
            reason = new Device(Device.Kind.CUDA, 0).unusableReason();
        } catch (RuntimeException | LinkageError e) {
            reason = e.toString();
        }
        System.out.println(reason == null ? "cuda" : "no usable GPU (" + reason.replaceFirst(" \\(searched: [^)]*\\)", "") + ")");
    }
}
