package adl.cli;

import adl.backend.Device;
import adl.backend.cpu.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --threads} of the commands that run a trained network (eval, predict); a picocli mixin. */
final class InferenceOptions {
    @Option(names = "--device", description = "auto, cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE}.")
    String device = "auto";
    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;
    @CommandLine.Mixin OversubscribeOption limit;
    @CommandLine.Mixin ImageLimitOption imageLimit;

    /** The device, opened, with the CPU thread count set; null when an asked-for GPU is unusable (the reason was printed; exit 2). */
    Device open(CommandLine cmd, String command) {
        int n = limit.threads(cmd, threads != null ? threads : Runtime.getRuntime().availableProcessors());
        Device dev = DeviceOption.resolve(cmd, command, device, cmd.getErr());
        if (dev != null) Parallel.setThreads(n);
        return dev;
    }

    /** The checks of these flags that come before a device is chosen. */
    void check(CommandLine cmd) { imageLimit.apply(cmd); }
}
