package adl.dist;

import java.nio.file.Path;

/** The mpirun lookup of {@link MpiJobTest}, for the command-line jobs of other packages' tests. */
public final class MpiJobTestAccess {
    private MpiJobTestAccess() {}

    /** The mpirun on the PATH, or null. */
    public static Path mpirun() { return MpiJobTest.mpirun(); }
}
