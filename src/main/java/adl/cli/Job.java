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
        if (c.size() == 1) return DataParallel.SINGLE;
        String note = mpirunStopNote(System.getenv());
        if (note != null) console().println(note);
        return new DataParallel(c, syncBn == null || syncBn);
    }

    /** The seconds a rank needs at most, after Ctrl-C on mpirun, to finish its iteration and write the checkpoint: below this a note is printed. */
    static final int STOP_SECONDS = 30;

    /**
     * Under Open MPI: a note when mpirun's {@code odls_base_sigkill_timeout} (T, seconds; given to the
     * ranks as {@code OMPI_MCA_odls_base_sigkill_timeout}) leaves the ranks less than 2·{@link #STOP_SECONDS}
     * between Ctrl-C and SIGKILL (docs/08-data-parallel.md §7); null otherwise.
     */
    static String mpirunStopNote(java.util.Map<String, String> env) {
        if (env.get("OMPI_COMM_WORLD_SIZE") == null) return null;
        int t;
        try {
            t = Integer.parseInt(env.getOrDefault("OMPI_MCA_odls_base_sigkill_timeout", "1").trim());
        } catch (NumberFormatException e) {
            return null;
        }
        if (t >= STOP_SECONDS) return null;
        return "note: Ctrl-C on mpirun kills the ranks " + 2 * t + " s later (odls_base_sigkill_timeout " + t + "), likely before a checkpoint; "
                + "run mpirun with --mca odls_base_sigkill_timeout " + STOP_SECONDS + " to stop all ranks at the same iteration with a checkpoint";
    }

    /** After a stop (Ctrl-C, SIGTERM): every rank but rank 0 (which printed its own line) says where it stopped, on stderr. */
    /** A run stopped by Ctrl-C / SIGTERM after {@code iteration}: the line of a rank other than 0, and the exit status 130. */
    static int stopped(long iteration) {
        if (WORLD.parallel() && !lead()) System.err.println(prefix() + "stopped after iteration " + iteration);
        return 130;
    }

    /** The global batch split over the job's processes, or a usage error naming why it does not divide. */
    static void checkBatch(picocli.CommandLine cmd, adl.train.DataParallel par, int batch) {
        try {
            par.localBatch(batch);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    /** The body of a training command, run with Ctrl-C / SIGTERM turned into a stop at the next iteration; the console flushed at the end. */
    static int untilStopped(String threadName, PrintStream console, StoppableRun body) throws Exception {
        try (GracefulStop stop = new GracefulStop(threadName)) {
            try {
                return body.run(stop);
            } finally {
                console.flush();
            }
        }
    }

    /** A command body that takes the stop signal. */
    interface StoppableRun {
        int run(GracefulStop stop) throws Exception;
    }

    /** {@code v}, or {@code fallback} where the flag was not given. */
    static <T> T or(T v, T fallback) { return v != null ? v : fallback; }

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
