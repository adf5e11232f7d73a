package adl.cli;

import adl.backend.cpu.Parallel;
import adl.backend.cuda.CudaAvailability;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code adl devices}: the CPU, and every CUDA device with its driver, cuDNN and cuBLAS (version
 * and the folder each was loaded from) — or exactly why none is usable; then this process's place in
 * a multi-process job and the MPI and NCCL libraries found (docs/08-data-parallel.md). Always exits 0.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the CPU and the CUDA devices the engine can use (or why none is usable).")
final class DevicesCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("CPU: %d threads available (engine default %d), %s %s, Java %s%n",
                Runtime.getRuntime().availableProcessors(), Parallel.threads(),
                System.getProperty("os.name"), System.getProperty("os.arch"), Runtime.version());
        out.println(CudaAvailability.describeAvailability());
        out.println(adl.dist.Distributed.describeAvailability());
        out.flush();
        return 0;
    }
}
