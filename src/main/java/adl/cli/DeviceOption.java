package adl.cli;

import adl.backend.Device;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The {@code --device cpu|cuda|cuda:N|auto} flag shared by search, bench search-step and selftest.
 * {@code cuda} without a usable GPU is one line on stderr naming the reason (the caller exits 2);
 * {@code auto} without one runs on the CPU after the one-line notice on stderr.
 */
final class DeviceOption {
    private DeviceOption() {}

    /**
     * The device to run on, opened; null when an explicitly asked-for GPU is not usable (the line
     * {@code <command> --device <spec>: CUDA not available: <reason>} was printed on {@code err}).
     *
     * @throws CommandLine.ParameterException when {@code spec} is not a device
     */
    static Device resolve(CommandLine cmd, String command, String spec, PrintWriter err) {
        Device d;
        try {
            d = Device.parse(spec, notice -> {
                err.println(command + ": " + notice);
                err.flush();
            });
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--device wants cpu or cuda (or cuda:N, auto), got '" + spec + "'");
        }
        String reason = d.unusableReason();
        if (reason == null) return d;
        err.println(Job.prefix() + command + " --device " + spec + ": CUDA not available: " + reason);
        err.flush();
        Job.abortIfParallel(2); // the other ranks may have their GPU: end the job rather than leave them waiting in a collective
        return null;
    }

    /**
     * Whether to run {@code --cuda-graphs}: only on a CUDA device. Asked for on the CPU, the flag is
     * ignored after the one line {@code <command>: --cuda-graphs ignored on cpu (CUDA graphs need a
     * CUDA device)} on {@code err} — so {@code --device auto} with the flag still runs where no GPU is.
     */
    static boolean cudaGraphs(boolean asked, Device dev, String command, PrintWriter err) {
        if (!asked) return false;
        if (dev.kind() == Device.Kind.CUDA) return true;
        err.println(command + ": --cuda-graphs ignored on " + dev + " (CUDA graphs need a CUDA device)");
        err.flush();
        return false;
    }
}
