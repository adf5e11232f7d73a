package adl.dist;

import java.util.Map;

/**
 * Where this process sits in a data-parallel job, read from the launcher's environment (docs/08-data-parallel.md):
 * Open MPI's {@code mpirun} sets {@code OMPI_COMM_WORLD_RANK/SIZE/LOCAL_RANK/LOCAL_SIZE}; SLURM's
 * {@code srun} sets {@code SLURM_PROCID/NTASKS/LOCALID} (and {@code SLURM_NTASKS_PER_NODE} or
 * {@code SLURM_TASKS_PER_NODE}); PMIx alone sets {@code PMIX_RANK}. None of them: a single process,
 * rank 0 of 1.
 *
 * @param rank      0 ≤ rank &lt; size
 * @param size      processes in the job
 * @param localRank rank among the processes of this node
 * @param localSize processes on this node
 * @param launcher  which variables it came from ("single process", "Open MPI", "SLURM")
 */
public record World(int rank, int size, int localRank, int localSize, String launcher) {
    public World {
        if (size < 1 || rank < 0 || rank >= size || localSize < 1 || localRank < 0 || localRank >= localSize) {
            throw new IllegalArgumentException(launcher + ": rank " + rank + " of " + size + ", local rank " + localRank + " of " + localSize
                    + " is not a valid placement");
        }
    }

    /** Rank 0 of 1. */
    public static World single() { return new World(0, 1, 0, 1, "single process"); }

    /** This process's placement. */
    public static World fromEnvironment() { return from(System.getenv()); }

    /** The placement the variables of {@code env} describe (tests pass maps). */
    public static World from(Map<String, String> env) {
        if (env.get("OMPI_COMM_WORLD_SIZE") != null) {
            int size = number(env, "OMPI_COMM_WORLD_SIZE");
            return new World(number(env, "OMPI_COMM_WORLD_RANK"), size, optional(env, "OMPI_COMM_WORLD_LOCAL_RANK", 0),
                    optional(env, "OMPI_COMM_WORLD_LOCAL_SIZE", size), "Open MPI");
        }
        if (env.get("SLURM_NTASKS") != null && env.get("SLURM_PROCID") != null) {
            int size = number(env, "SLURM_NTASKS");
            int local = env.get("SLURM_NTASKS_PER_NODE") != null ? number(env, "SLURM_NTASKS_PER_NODE") : firstCount(env.get("SLURM_TASKS_PER_NODE"), size);
            int localRank = optional(env, "SLURM_LOCALID", 0);
            return new World(number(env, "SLURM_PROCID"), size, localRank, Math.max(local, localRank + 1), "SLURM");
        }
        return single();
    }

    /** Whether there is more than one process. */
    public boolean parallel() { return size > 1; }

    /** The default CPU threads of one rank: the node's cores shared evenly by its ranks (at least 1). */
    public int defaultThreads(int cores) { return Math.max(1, cores / localSize); }

    /** "rank 1 of 2" (or "single process"). */
    public String describe() { return size == 1 ? "single process" : "rank " + rank + " of " + size + " (" + launcher + ")"; }

    private static int number(Map<String, String> env, String name) {
        String v = env.get(name);
        try {
            return Integer.parseInt(v.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("environment variable " + name + "=" + v + " is not a whole number");
        }
    }

    private static int optional(Map<String, String> env, String name, int absent) {
        return env.get(name) == null ? absent : number(env, name);
    }

    /** SLURM_TASKS_PER_NODE looks like "2(x3),1": the tasks of the first node. */
    private static int firstCount(String v, int fallback) {
        if (v == null || v.isBlank()) return fallback;
        String first = v.split(",")[0];
        int paren = first.indexOf('(');
        try {
            return Integer.parseInt((paren < 0 ? first : first.substring(0, paren)).strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
