package adl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags of a training run's plumbing shared by {@code search} and {@code retrain} (threads,
 * batch-norm synchronisation across processes, checkpoint cadence); a picocli mixin.
 */
final class RunOptions {
    @Option(names = "--threads", description = "CPU threads (default: all cores, divided by the processes on this node). Results do not depend on it.") Integer threads;
    @Option(names = "--sync-bn", negatable = true, description = "Batch norm with the statistics of the global batch of all processes "
            + "(default: on when mpirun/srun started several; --no-sync-bn: each process its own).") Boolean syncBn;
    @Option(names = "--checkpoint-minutes", description = "Also checkpoint after this many minutes (default 10).") Double checkpointMinutes;
    @Option(names = "--keep-checkpoints", description = "Periodic checkpoints kept, besides the best (default 3).") Integer keepCheckpoints;
    @CommandLine.Mixin OversubscribeOption limit;
    @CommandLine.Mixin ImageLimitOption imageLimit;

    /** The start of a training command: the image-size limit applied, the process's place in the job (one process, or a rank of mpirun/srun). */
    adl.train.DataParallel start(CommandLine cmd) {
        imageLimit.apply(cmd);
        return Job.dataParallel(syncBn);
    }

    /** The thread count of a new run's config: --threads, else all cores divided by the processes on this node. */
    int configThreads() { return threads != null ? threads : Job.defaultThreads(); }

    double checkpointMinutes() { return checkpointMinutes != null ? checkpointMinutes : 10.0; }

    int keepCheckpoints() { return keepCheckpoints != null ? keepCheckpoints : 3; }

    /**
     * The threads this process runs with: --threads, else (several processes) its share of the
     * node, else the run's configured count; clamped by {@code limit}.
     */
    int threads(CommandLine cmd, int configured) {
        return limit.threads(cmd, threads != null ? threads : Job.world().parallel() ? Job.defaultThreads() : configured);
    }
}
