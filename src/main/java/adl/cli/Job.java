package adl.cli;

import adl.dist.Collectives;
import adl.dist.Distributed;
import adl.dist.World;
import adl.train.DataParallel;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * This process's part in a multi-process job (docs/08-data-parallel.md): the placement the launcher
 * gave ({@code mpirun}, {@code srun}), the collectives once a training command opens them, and what
 * only rank 0 does (print, own the run directory). A failure on any rank ends the whole job
 * ({@link #abortIfParallel}) so no rank waits in a collective for one that is gone.
 */
final class Job {
    private static final World WORLD = World.fromEnvironment();
    private static Collectives collectives;

    private Job() {}

    static World world() { return WORLD; }

    /** The job's collectives, opened on first use (MPI_Init for more than one process). */
    static synchronized Collectives collectives() {
        if (collectives == null) collectives = Distributed.open(WORLD);
        return collectives;
    }

    /** The data-parallel settings of a training command; {@code syncBn} null = on for several processes. */
    static DataParallel dataParallel(Boolean syncBn) {
        Collectives c = collectives();
        return c.size() == 1 ? DataParallel.SINGLE : new DataParallel(c, syncBn == null || syncBn);
    }

    /** Whether this process prints and writes (rank 0, or a single process). */
    static boolean lead() { return WORLD.rank() == 0; }

    /** Where rank 0 prints: the console; elsewhere nowhere (mpirun would interleave N copies). */
    static PrintStream console() { return lead() ? System.out : new PrintStream(java.io.OutputStream.nullOutputStream()); }

    /** "rank r of N: " for messages of a multi-process job, else "". */
    static String prefix() { return WORLD.parallel() ? "rank " + WORLD.rank() + " of " + WORLD.size() + ": " : ""; }

    /** The default CPU threads of this process: the cores shared by the ranks of this node. */
    static int defaultThreads() { return WORLD.defaultThreads(Runtime.getRuntime().availableProcessors()); }

    /** The device spec with {@code cuda} meaning the GPU of this process's local rank when there are several processes. */
    static String device(String spec) { return WORLD.parallel() && "cuda".equals(spec) ? "cuda:" + WORLD.localRank() : spec; }

    /**
     * The new run directory, chosen by rank 0 (its check that no run is there already) and shared with
     * the other ranks, so every rank names the same folder even when the default name holds the time.
     */
    static Path newRunDir(CommandLine cmd, Path out, String prefix) {
        Path mine = lead() ? DataChoice.newRunDir(cmd, out, prefix) : null;
        if (!WORLD.parallel()) return mine;
        return Path.of(collectives().broadcast(mine == null ? "" : mine.toString(), 0));
    }

    /** After a failure on this rank: ends every rank of the job (MPI_Abort) with {@code code}; nothing for a single process. */
    static synchronized void abortIfParallel(int code) {
        if (collectives != null && collectives.size() > 1) collectives.abort(code);
    }

    /** Ends this process's part of the job (MPI_Finalize) before a normal exit. */
    static synchronized void close() {
        if (collectives != null) collectives.close();
    }
}
