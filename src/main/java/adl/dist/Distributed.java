package adl.dist;

/** The collectives of this process's job: Open MPI when the launcher started more than one process, else {@link SingleProcess}. */
public final class Distributed {
    private Distributed() {}

    /**
     * Opens the job described by {@code world}: for more than one process, initialises MPI and checks
     * that it sees the same rank and size as the launcher's environment.
     */
    public static Collectives open(World world) {
        if (!world.parallel()) return SingleProcess.INSTANCE;
        MpiCollectives mpi;
        try {
            mpi = MpiCollectives.open();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(world.describe() + ": cannot start MPI: " + e.getMessage(), e);
        }
        if (mpi.rank() != world.rank() || mpi.size() != world.size()) {
            mpi.close();
            throw new IllegalStateException(world.launcher() + " says rank " + world.rank() + " of " + world.size()
                    + " but MPI says rank " + mpi.rank() + " of " + mpi.size() + " (was mpirun from another MPI than " + NativeLibrary.MPI.soname() + "?)");
        }
        return withNccl(mpi, NativeLibrary.NCCL.locate(), System.getenv("ADL_DIST_NCCL"));
    }

    /**
     * MPI alone, or MPI with NCCL for CUDA tensors ({@link NcclCollectives}) when libnccl.so.2 is
     * found, the job has 2 ranks and {@code ADL_DIST_NCCL} is not {@code off}.
     */
    static Collectives withNccl(MpiCollectives mpi, NativeLibrary.Found nccl, String setting) {
        if (!nccl.ok() || mpi.size() != 2 || "off".equalsIgnoreCase(setting)) return mpi;
        return new NcclCollectives(mpi, nccl);
    }

    /** One line for {@code adl devices}: the launcher's placement and the MPI and NCCL libraries found. */
    public static String describeAvailability() {
        NativeLibrary.Found mpi = NativeLibrary.MPI.locate(), nccl = NativeLibrary.NCCL.locate();
        return "Processes: " + World.fromEnvironment().describe()
                + "\nMPI: " + (mpi.ok() ? mpi.file() + " (" + mpi.via() + ")" : "not available: " + mpi.reason())
                + "\nNCCL: " + (nccl.ok() ? "found " + nccl.file() + " (" + nccl.via() + "; used for CUDA tensors of 2-rank jobs; run on the mock GPU only, never on a GPU)"
                        : "not found: " + nccl.reason());
    }
}
